{#- One row per consecutive pair of events of a complete listening session (every position
    1..session_length present exactly once), in the session dataset's own track ids. -#}

with

events as (
    select * from {{ ref('stg_mssd__session_events') }}
),

complete_sessions as (
    select session_id
    from events
    group by session_id
    having
        count(*) = max(session_length)
        and min(session_length) = max(session_length)
        and min(session_position) = 1
        and max(session_position) = max(session_length)
),

complete_events as (
    select events.*
    from events
    inner join complete_sessions on events.session_id = complete_sessions.session_id
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
