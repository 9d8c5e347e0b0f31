with

rejected_rows as (
    select * from {{ ref('fct_rejected_rows') }}
),

final as (
    select
        source_name,
        entity,
        source_file,
        reject_reason,
        count(*) as n_rows
    from rejected_rows
    group by source_name, entity, source_file, reject_reason
)

select * from final
