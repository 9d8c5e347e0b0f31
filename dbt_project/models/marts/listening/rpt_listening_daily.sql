{#- One row per user per (UTC) day with at least one scrobble. -#}

with

scrobbles as (
    select * from {{ ref('fct_scrobbles') }}
),

daily as (
    select
        user_name,
        played_date,
        count(*) as n_scrobbles,
        count(*) filter (where is_matched) as n_matched,
        count(*) filter (where is_default_duration) as n_default_duration,
        count(distinct listening_session_id) as n_listening_sessions,
        sum(minutes_listened) / 60 as hours_listened
    from scrobbles
    group by user_name, played_date
),

final as (
    select
        user_name,
        played_date,
        n_scrobbles,
        n_matched,
        n_default_duration,
        n_listening_sessions,
        cast(hours_listened as double) as hours_listened,
        cast(n_matched as double) / n_scrobbles as share_matched
    from daily
)

select * from final
