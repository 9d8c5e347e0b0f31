with

base as (
    select * from {{ ref('base_spotify__tracks_by_genre') }}
),

final as (
    select
        genre,
        track_id,
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
        time_signature,
        source_file
    from base
    where reject_reason is null
)

select * from final
