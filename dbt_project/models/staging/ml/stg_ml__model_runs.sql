with

model_runs as (
    select * from {{ source('ml', 'model_runs') }}
),

final as (
    select
        run_id,
        model_name,
        task,
        is_baseline,
        params,
        data_snapshot,
        metrics,
        trained_at,
        artifact_path,
        artifact_sha256
    from model_runs
)

select * from final
