-- Session transitions = Σ (session_length − 1) over complete sessions (every position
-- 1..session_length staged exactly once). Returns a row when they differ.
with

pairs as (
    select * from {{ ref('fct_next_track_pairs') }}
),

events as (
    select * from {{ ref('stg_mssd__session_events') }}
),

complete_sessions as (
    select max(session_length) as session_length
    from events
    group by session_id
    having
        count(*) = max(session_length)
        and count(distinct session_position) = max(session_length)
        and min(session_position) = 1
        and max(session_position) = max(session_length)
),

expected as (
    select coalesce(sum(session_length - 1), 0) as n_expected
    from complete_sessions
),

actual as (
    select coalesce(sum(n_transitions), 0) as n_actual
    from pairs
    where transition_source = 'session'
)

select
    expected.n_expected,
    actual.n_actual
from expected
cross join actual
where expected.n_expected <> actual.n_actual
