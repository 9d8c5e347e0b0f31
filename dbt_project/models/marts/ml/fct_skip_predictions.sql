{#- One row per predict-half session event scored by the latest skip-model run, with the
    true label beside the prediction. -#}

with

predictions as (
    select * from {{ ref('stg_ml__skip_predictions') }}
),

labels as (
    select * from {{ ref('fct_session_skip_labels') }}
),

final as (
    select
        predictions.session_id,
        predictions.session_position,
        predictions.split,
        predictions.p_skip,
        predictions.predicted_skip,
        labels.skip_label,
        predictions.predicted_skip = labels.skip_label as is_correct,
        predictions.run_id
    from predictions
    left join labels
        on
            predictions.session_id = labels.session_id
            and predictions.session_position = labels.session_position
)

select * from final
