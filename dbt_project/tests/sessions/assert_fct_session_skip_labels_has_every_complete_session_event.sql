{#- fct_session_skip_labels holds exactly the events of complete sessions of
    stg_mssd__session_events (every position 1..session_length present exactly once),
    completeness recomputed here independently. Returns the keys found on one side only. -#}

with

session_events as (
    select * from {{ ref('stg_mssd__session_events') }}
),

skip_labels as (
    select * from {{ ref('fct_session_skip_labels') }}
),

complete_sessions as (
    select session_id
    from session_events
    group by session_id
    having
        count(*) = max(session_length)
        and count(distinct session_position) = max(session_length)
        and min(session_length) = max(session_length)
        and min(session_position) = 1
        and max(session_position) = max(session_length)
),

expected_events as (
    select
        session_events.session_id,
        session_events.session_position
    from session_events
    inner join complete_sessions on session_events.session_id = complete_sessions.session_id
),

final as (
    select
        coalesce(expected_events.session_id, skip_labels.session_id) as session_id,
        coalesce(expected_events.session_position, skip_labels.session_position)
            as session_position,
        case
            when skip_labels.session_id is null then 'missing from fct'
            else 'not a complete-session event'
        end as problem
    from expected_events
    full outer join skip_labels
        on
            expected_events.session_id = skip_labels.session_id
            and expected_events.session_position = skip_labels.session_position
    where expected_events.session_id is null or skip_labels.session_id is null
)

select * from final
