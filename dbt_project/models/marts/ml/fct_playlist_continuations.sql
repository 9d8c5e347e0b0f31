{#- One row per recommended track of the latest continuation run: for each held-out MPD
    playlist, seed size and method, the 500 tracks predicted to continue it, in order. -#}

with

continuations as (
    select * from {{ ref('stg_ml__playlist_continuations') }}
),

tracks as (
    select * from {{ ref('dim_spotify_tracks') }}
),

final as (
    select
        continuations.playlist_id,
        continuations.seed_size,
        continuations.method,
        continuations.rank,
        continuations.track_id,
        tracks.track_name,
        tracks.artist_name,
        continuations.run_id
    from continuations
    left join tracks on continuations.track_id = tracks.track_id
)

select * from final
