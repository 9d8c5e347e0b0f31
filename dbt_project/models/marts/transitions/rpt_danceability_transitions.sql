{#- Danceability of the track playing now against the next one, in bins of 0.1, per
    transition source: the heatmap of "does a danceable track lead to another?". -#}

with

pairs as (
    select * from {{ ref('fct_next_track_pairs') }}
),

binned as (
    select
        transition_source,
        cast(least(floor(prev_danceability * 10), 9) as double) / 10 as prev_danceability_bin,
        cast(least(floor(next_danceability * 10), 9) as double) / 10 as next_danceability_bin,
        n_transitions
    from pairs
    where prev_danceability is not null and next_danceability is not null
),

final as (
    select
        transition_source,
        prev_danceability_bin,
        next_danceability_bin,
        cast(sum(n_transitions) as bigint) as n_transitions
    from binned
    group by transition_source, prev_danceability_bin, next_danceability_bin
)

select * from final
