with

playlist_classifier_confusion as (
    select * from {{ source('ml', 'playlist_classifier_confusion') }}
),

final as (
    select
        run_id,
        model_name,
        label_set,
        true_class,
        predicted_class,
        n_tracks
    from playlist_classifier_confusion
)

select * from final
