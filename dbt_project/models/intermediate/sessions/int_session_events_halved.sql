{#- A table, not a view: its data tests and the session summary read it, and at bench
    scale (12 M events) each would otherwise recompute its windows. -#}
{{ config(materialized='table') }}
{#- One row per staged session event, with the half of its session the WSDM Cup 2019 task
    puts it in (`observed`: session_position * 2 <= session_length, else `predict`) and
    whether its session is complete (positions 1..session_length each present once). -#}

with

session_events as (
    select * from {{ ref('stg_mssd__session_events') }}
),

sessions as (
    select
        session_id,
        count(*) as n_events,
        count(distinct session_position) as n_positions,
        min(session_position) as min_position,
        max(session_position) as max_position,
        min(session_length) as min_length,
        max(session_length) as max_length
    from session_events
    group by session_id
),

session_completeness as (
    select
        session_id,
        n_events,
        (
            min_length = max_length
            and n_events = max_length
            and n_positions = max_length
            and min_position = 1
            and max_position = max_length
        ) as is_complete_session
    from sessions
),

final as (
    select
        session_events.session_id,
        session_events.session_position,
        session_events.session_length,
        session_events.track_id,
        case
            when session_events.session_position * 2 <= session_events.session_length
                then 'observed'
            else 'predict'
        end as session_half,
        session_completeness.is_complete_session,
        session_completeness.n_events as n_session_events,
        session_events.is_skip_1,
        session_events.is_skip_2,
        session_events.is_skip_3,
        session_events.is_not_skipped,
        session_events.is_context_switch,
        session_events.is_no_pause_before_play,
        session_events.is_short_pause_before_play,
        session_events.is_long_pause_before_play,
        session_events.n_seek_forward,
        session_events.n_seek_back,
        session_events.is_shuffle,
        session_events.hour_of_day,
        session_events.session_date,
        session_events.is_premium,
        session_events.context_type,
        session_events.reason_start,
        session_events.reason_end
    from session_events
    inner join session_completeness
        on session_events.session_id = session_completeness.session_id
)

select * from final
