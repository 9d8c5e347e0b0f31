{#- A table, not a view: its data tests and the pair marts read it, and at bench scale
    each would otherwise recompute the window over millions of rows. -#}
{{ config(materialized='table') }}
{#- One row per consecutive pair of events of a complete listening session (every position
    1..session_length present exactly once), in the session dataset's own track ids. -#}

with

events as (
    select * from {{ ref('int_session_events_halved') }}
),

complete_events as (
    select
        session_id,
        session_position,
        track_id
    from events
    where is_complete_session
),

pairs as (
    {{ consecutive_pairs('complete_events', 'session_id', 'session_position', 'track_id') }}
),

final as (
    select
        'session' as transition_source,
        sequence_id,
        prev_position,
        prev_item as prev_track_id,
        next_item as next_track_id
    from pairs
)

select * from final
