{#- One row per user, month, item level and item: the artists, albums and tracks a user played
    in a month, with plays, hours and rank. One model with an `item_level` column rather than
    three: one grain for the dashboard to filter, one set of tests. Items are the names as
    scrobbled; an album is (artist, album), a track is (artist, track) across albums.
    Scrobbles without an album count at the artist and track levels only. -#}

with

scrobbles as (
    select * from {{ ref('fct_scrobbles') }}
),

artists as (
    select
        user_name,
        played_month,
        'artist' as item_level,
        artist_name as item_name,
        artist_name,
        cast(null as {{ dbt.type_string() }}) as album_name,
        cast(null as {{ dbt.type_string() }}) as track_name,
        cast(null as {{ dbt.type_string() }}) as track_id,
        count(*) as n_scrobbles,
        count(*) filter (where is_matched) as n_matched,
        sum(minutes_listened) / 60 as hours_listened
    from scrobbles
    group by user_name, played_month, artist_name
),

albums as (
    select
        user_name,
        played_month,
        'album' as item_level,
        album_name as item_name,
        artist_name,
        album_name,
        cast(null as {{ dbt.type_string() }}) as track_name,
        cast(null as {{ dbt.type_string() }}) as track_id,
        count(*) as n_scrobbles,
        count(*) filter (where is_matched) as n_matched,
        sum(minutes_listened) / 60 as hours_listened
    from scrobbles
    where album_name is not null
    group by user_name, played_month, artist_name, album_name
),

tracks as (
    select
        user_name,
        played_month,
        'track' as item_level,
        track_name as item_name,
        artist_name,
        cast(null as {{ dbt.type_string() }}) as album_name,
        track_name,
        {#- (artist, track) determines the match key, so there is at most one track_id -#}
        max(track_id) as track_id,
        count(*) as n_scrobbles,
        count(*) filter (where is_matched) as n_matched,
        sum(minutes_listened) / 60 as hours_listened
    from scrobbles
    group by user_name, played_month, artist_name, track_name
),

unioned as (
    select * from artists
    union all
    select * from albums
    union all
    select * from tracks
),

final as (
    select
        user_name,
        played_month,
        item_level,
        item_name,
        artist_name,
        album_name,
        track_name,
        track_id,
        n_scrobbles,
        n_matched,
        cast(hours_listened as double) as hours_listened,
        cast(row_number() over (
            partition by user_name, played_month, item_level
            order by n_scrobbles desc, hours_listened desc, artist_name asc, item_name asc
        ) as bigint) as item_rank
    from unioned
)

select * from final
