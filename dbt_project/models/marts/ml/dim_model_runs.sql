{#- One row per model (or baseline) per training run, every run ever made: what was
    trained, on which data snapshot, with which parameters, and where its artifact is. -#}

with

runs as (
    select * from {{ ref('stg_ml__model_runs') }}
),

final as (
    select
        run_id,
        task,
        model_name,
        is_baseline,
        params,
        data_snapshot,
        metrics,
        trained_at,
        artifact_path,
        artifact_sha256,
        run_id = max_by(run_id, trained_at) over (partition by task) as is_latest_run
    from runs
)

select * from final
