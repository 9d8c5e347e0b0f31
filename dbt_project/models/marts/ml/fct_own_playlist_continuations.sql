{#- One row per own playlist × rank of the latest continuation run: the tracks suggested to
    add to each of your playlists, in order, with names for BI. -#}

with

continuations as (
    select * from {{ ref('stg_ml__own_playlist_continuations') }}
),

playlists as (
    select * from {{ ref('dim_playlists') }}
),

tracks as (
    select * from {{ ref('dim_spotify_tracks') }}
),

final as (
    select
        continuations.playlist_id,
        playlists.playlist_name,
        continuations.rank,
        continuations.track_id,
        tracks.track_name,
        tracks.artist_name,
        continuations.score,
        continuations.method,
        continuations.run_id
    from continuations
    left join playlists on continuations.playlist_id = playlists.playlist_id
    left join tracks on continuations.track_id = tracks.track_id
)

select * from final
