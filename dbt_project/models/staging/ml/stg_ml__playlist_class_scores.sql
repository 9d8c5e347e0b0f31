with

playlist_class_scores as (
    select * from {{ source('ml', 'playlist_class_scores') }}
),

final as (
    select
        run_id,
        track_id,
        label_set,
        predicted_class,
        predicted_probability,
        class_probabilities,
        is_labelled,
        true_class
    from playlist_class_scores
)

select * from final
