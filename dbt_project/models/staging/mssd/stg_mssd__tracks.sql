with

base as (
    select * from {{ ref('base_mssd__tracks') }}
),

final as (
    select
        track_id,
        duration_s,
        release_year,
        us_popularity_estimate,
        acousticness,
        beat_strength,
        bounciness,
        danceability,
        dyn_range_mean,
        energy,
        flatness,
        instrumentalness,
        key,
        liveness,
        loudness,
        mechanism,
        mode,
        organism,
        speechiness,
        tempo,
        time_signature,
        valence,
        acoustic_vector_0,
        acoustic_vector_1,
        acoustic_vector_2,
        acoustic_vector_3,
        acoustic_vector_4,
        acoustic_vector_5,
        acoustic_vector_6,
        acoustic_vector_7,
        source_file
    from base
    where reject_reason is null
)

select * from final
