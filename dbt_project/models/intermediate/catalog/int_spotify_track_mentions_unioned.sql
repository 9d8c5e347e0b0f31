{#- What each source says about each Spotify catalog track: one row per (track, source)
    with the number of mentions there and the names it gives (the greatest where a source
    spells them several ways). Precedence for names: the user's playlists (full Web API
    track objects), then the MPD, then the tracks-by-genre table, then scrobble URI
    matches, then Spotify's own listening history (album artist, no ids but the track's). -#}

with

own_playlist_tracks as (
    select * from {{ ref('stg_spotify__playlist_tracks') }}
),

mpd_playlist_tracks as (
    select * from {{ ref('stg_mpd__playlist_tracks') }}
),

tracks_by_genre as (
    select * from {{ ref('stg_spotify__tracks_by_genre') }}
),

uri_matches as (
    select * from {{ ref('stg_spotify__uri_matches') }}
),

streams as (
    select * from {{ ref('stg_spotify__streams') }}
),

unioned as (
    select
        track_id,
        track_name,
        artist_id,
        artist_name,
        album_id,
        album_name,
        duration_ms,
        popularity,
        'own_playlist' as mention_source,
        1 as precedence
    from own_playlist_tracks
    union all
    select
        track_id,
        track_name,
        nullif(split_part(artist_uri, ':', 3), '') as artist_id,
        artist_name,
        nullif(split_part(album_uri, ':', 3), '') as album_id,
        album_name,
        duration_ms,
        cast(null as integer) as popularity,
        'mpd' as mention_source,
        2 as precedence
    from mpd_playlist_tracks
    union all
    select
        track_id,
        track_name,
        cast(null as {{ dbt.type_string() }}) as artist_id,
        artist_name,
        cast(null as {{ dbt.type_string() }}) as album_id,
        cast(null as {{ dbt.type_string() }}) as album_name,
        duration_ms,
        popularity,
        'tracks_by_genre' as mention_source,
        3 as precedence
    from tracks_by_genre
    union all
    select
        track_id,
        track_name,
        cast(null as {{ dbt.type_string() }}) as artist_id,
        artist_name,
        cast(null as {{ dbt.type_string() }}) as album_id,
        cast(null as {{ dbt.type_string() }}) as album_name,
        cast(null as bigint) as duration_ms,
        cast(null as integer) as popularity,
        'uri_match' as mention_source,
        4 as precedence
    from uri_matches
    where is_matched
    union all
    select
        track_id,
        track_name,
        cast(null as {{ dbt.type_string() }}) as artist_id,
        artist_name,
        cast(null as {{ dbt.type_string() }}) as album_id,
        album_name,
        cast(null as bigint) as duration_ms,
        cast(null as integer) as popularity,
        'streaming_history' as mention_source,
        5 as precedence
    from streams
),

final as (
    select
        track_id,
        mention_source,
        min(precedence) as precedence,
        count(*) as n_mentions,
        max(track_name) as track_name,
        max(artist_id) as artist_id,
        max(artist_name) as artist_name,
        max(album_id) as album_id,
        max(album_name) as album_name,
        -- 0 ms is the placeholder of a track no longer available (Exportify, MPD)
        max(nullif(duration_ms, 0)) as duration_ms,
        max(popularity) as popularity
    from unioned
    where track_id is not null
    group by track_id, mention_source
)

select * from final
