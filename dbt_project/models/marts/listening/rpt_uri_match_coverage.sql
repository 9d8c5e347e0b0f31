{#- How much of each user's listening the Spotify URI match covers, per month. A distinct
    track is a distinct match key: case-folded, trimmed (artist, track), the unit the
    matcher searched. -#}

with

scrobbles as (
    select * from {{ ref('fct_scrobbles') }}
),

keyed as (
    select
        user_name,
        played_month,
        is_matched,
        {{ dbt.concat(['lower(trim(artist_name))', "'|'", 'lower(trim(track_name))']) }}
            as track_key
    from scrobbles
),

monthly as (
    select
        user_name,
        played_month,
        count(*) as n_scrobbles,
        count(*) filter (where is_matched) as n_matched,
        count(distinct track_key) as n_distinct_tracks,
        count(distinct case when is_matched then track_key end) as n_distinct_tracks_matched
    from keyed
    group by user_name, played_month
),

final as (
    select
        user_name,
        played_month,
        n_scrobbles,
        n_matched,
        cast(n_matched as double) / n_scrobbles as share_matched,
        n_distinct_tracks,
        n_distinct_tracks_matched,
        cast(n_distinct_tracks_matched as double) / n_distinct_tracks
            as share_distinct_tracks_matched
    from monthly
)

select * from final
