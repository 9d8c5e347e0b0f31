{#- How often each track came next, per scope of `fct_next_track_pair_counts` (`training`
    and `all`): the next-track model's popularity baseline and back-off. Only tracks that
    came next at least once in the scope have a row. -#}

with

pair_counts as (
    select * from {{ ref('fct_next_track_pair_counts') }}
),

arrivals as (
    select
        scope,
        next_track_id as track_id,
        sum(n_transitions) as n_arrivals
    from pair_counts
    where scope in ('training', 'all')
    group by scope, next_track_id
),

final as (
    select
        scope,
        track_id,
        cast(n_arrivals as bigint) as n_arrivals,
        cast(n_arrivals as double) / sum(n_arrivals) over (partition by scope)
            as share_of_arrivals,
        -- bigint on every engine (Spark's row_number is an int)
        cast(row_number() over (
            partition by scope order by n_arrivals desc, track_id asc
        ) as bigint) as popularity_rank
    from arrivals
)

select * from final
