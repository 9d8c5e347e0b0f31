{#- In every listening session the positions are 1, 2, …, n with no gap, all its scrobbles
    belong to one user, and consecutive scrobbles are never more than
    `listening_session_gap_minutes` apart. Returns the sessions that break this. -#}

{%- set gap_minutes = listening_session_gap_minutes() -%}

with

scrobbles as (
    select * from {{ ref('fct_scrobbles') }}
),

with_previous as (
    select
        listening_session_id,
        user_name,
        session_position,
        played_at,
        lag(played_at) over (
            partition by listening_session_id
            order by session_position
        ) as previous_played_at
    from scrobbles
),

sessions as (
    select
        listening_session_id,
        count(*) as n_scrobbles,
        count(distinct user_name) as n_users,
        min(session_position) as min_position,
        max(session_position) as max_position,
        count(*) filter (
            where played_at > {{ dbt.dateadd('minute', gap_minutes, 'previous_played_at') }}
        ) as n_long_gaps
    from with_previous
    group by listening_session_id
),

final as (
    select * from sessions
    where
        min_position <> 1
        or max_position <> n_scrobbles
        or n_users <> 1
        or n_long_gaps > 0
)

select * from final
