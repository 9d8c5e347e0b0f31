{#- One row per (model, true class, predicted class) of the latest classifier run's test
    part: the confusion matrix of every kernel, weighted and unweighted. -#}

with

confusion as (
    select * from {{ ref('stg_ml__playlist_classifier_confusion') }}
),

final as (
    select
        model_name,
        label_set,
        true_class,
        predicted_class,
        n_tracks,
        cast(n_tracks as double) / sum(n_tracks) over (partition by model_name, true_class)
            as share_of_true_class,
        run_id
    from confusion
)

select * from final
