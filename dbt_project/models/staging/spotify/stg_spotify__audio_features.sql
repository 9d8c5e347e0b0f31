with

base as (
    select * from {{ ref('base_spotify__audio_features') }}
),

final as (
    select
        track_id,
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
        source_format,
        source_file
    from base
    where reject_reason is null
)

select * from final
