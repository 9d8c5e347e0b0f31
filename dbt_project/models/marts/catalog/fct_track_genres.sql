{#- One row per (Spotify track, genre label) of the tracks-by-genre table, with the
    track's audio features as that table gives them: the labelled set for genre
    classification (a track may carry several genres). -#}

with

tracks_by_genre as (
    select * from {{ ref('stg_spotify__tracks_by_genre') }}
),

final as (
    select
        track_id,
        genre,
        artist_name,
        track_name,
        popularity,
        danceability,
        energy,
        speechiness,
        acousticness,
        instrumentalness,
        liveness,
        valence,
        loudness_db,
        tempo_bpm,
        duration_ms,
        key,
        mode,
        time_signature
    from tracks_by_genre
)

select * from final
