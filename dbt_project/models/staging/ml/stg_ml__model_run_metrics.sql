with

model_run_metrics as (
    select * from {{ source('ml', 'model_run_metrics') }}
),

final as (
    select
        run_id,
        model_name,
        task,
        metric,
        value
    from model_run_metrics
)

select * from final
