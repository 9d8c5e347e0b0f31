with

skip_predictions as (
    select * from {{ source('ml', 'skip_predictions') }}
),

final as (
    select
        run_id,
        session_id,
        session_position,
        split,
        p_skip,
        predicted_skip
    from skip_predictions
)

select * from final
