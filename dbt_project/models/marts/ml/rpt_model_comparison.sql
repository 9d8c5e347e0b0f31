{#- One row per (task, model, metric) of the latest run of each task: the comparison
    table `make run` prints, as a table BI can chart. -#}

with

runs as (
    select * from {{ ref('stg_ml__model_runs') }}
),

metrics as (
    select * from {{ ref('stg_ml__model_run_metrics') }}
),

latest_runs as (
    select
        task,
        max_by(run_id, trained_at) as run_id,
        max(trained_at) as trained_at
    from runs
    group by task
),

final as (
    select
        metrics.task,
        metrics.model_name,
        runs.is_baseline,
        metrics.metric,
        metrics.value,
        metrics.run_id,
        latest_runs.trained_at
    from metrics
    inner join latest_runs
        on metrics.task = latest_runs.task and metrics.run_id = latest_runs.run_id
    inner join runs
        on
            metrics.run_id = runs.run_id
            and metrics.task = runs.task
            and metrics.model_name = runs.model_name
)

select * from final
