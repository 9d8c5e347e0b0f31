-- Every track of fct_next_track_suggestions has exactly 10 suggestions, ranks 1..10, and
-- none of them is the track itself. Returns the tracks where that fails.
with

suggestions as (
    select * from {{ ref('fct_next_track_suggestions') }}
),

per_track as (
    select
        track_id,
        count(*) as n_suggestions,
        count(distinct next_track_id) as n_distinct,
        min(rank) as min_rank,
        max(rank) as max_rank,
        count_if(next_track_id = track_id) as n_self
    from suggestions
    group by track_id
)

select *
from per_track
where
    n_suggestions <> 10
    or n_distinct <> 10
    or min_rank <> 1
    or max_rank <> 10
    or n_self > 0
