with

next_track_suggestions as (
    select * from {{ source('ml', 'next_track_suggestions') }}
),

final as (
    select
        run_id,
        track_id,
        rank,
        next_track_id,
        score,
        basis,
        method
    from next_track_suggestions
)

select * from final
