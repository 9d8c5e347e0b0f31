{#- Entries of every playlist, the MPD's and the user's own, in one layout with a 1-based
    position (the MPD's `pos` starts at 0, the Web API's items at 1). -#}

with

mpd_playlist_tracks as (
    select * from {{ ref('stg_mpd__playlist_tracks') }}
),

own_playlist_tracks as (
    select * from {{ ref('stg_spotify__playlist_tracks') }}
),

unioned as (
    select
        playlist_id,
        'mpd' as playlist_source,
        track_position + 1 as playlist_position,
        track_id,
        nullif(split_part(artist_uri, ':', 3), '') as artist_id,
        nullif(split_part(album_uri, ':', 3), '') as album_id
    from mpd_playlist_tracks
    union all
    select
        playlist_id,
        'own' as playlist_source,
        track_position as playlist_position,
        track_id,
        artist_id,
        album_id
    from own_playlist_tracks
),

final as (
    select
        playlist_id,
        playlist_source,
        playlist_position,
        track_id,
        artist_id,
        album_id
    from unioned
)

select * from final
