{#- One row per catalog track scored by the latest playlist-classifier run: which playlist
    (or genre) it most likely belongs to, with every class's probability. -#}

with

scores as (
    select * from {{ ref('stg_ml__playlist_class_scores') }}
),

tracks as (
    select * from {{ ref('dim_spotify_tracks') }}
),

final as (
    select
        scores.track_id,
        tracks.track_name,
        tracks.artist_name,
        scores.label_set,
        scores.predicted_class,
        scores.predicted_probability,
        scores.class_probabilities,
        scores.is_labelled,
        scores.true_class,
        scores.run_id
    from scores
    left join tracks on scores.track_id = tracks.track_id
)

select * from final
