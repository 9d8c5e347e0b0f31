-- name: fit_counts
select
    count(*) as n_candidates,
    count(truth.track_idx) as n_relevant
from continuation_candidates as candidates
left join continuation_query_truth as truth
    on candidates.playlist_idx = truth.playlist_idx and candidates.track_idx = truth.track_idx

-- name: fit_sample
-- the logistic regression's rows: every relevant candidate, a hash sample of the others
select
    {{ blend_columns }},
    truth.track_idx is not null as is_relevant
from continuation_candidates as candidates
left join continuation_query_truth as truth
    on candidates.playlist_idx = truth.playlist_idx and candidates.track_idx = truth.track_idx
where
    truth.track_idx is not null
    or hash(candidates.playlist_idx, candidates.track_idx) % 1000 < $negative_permille
order by candidates.playlist_idx, candidates.track_idx

-- name: metric_predictions_view
create or replace temp view {{ predictions_relation }} as
select
    playlist_idx as playlist_id,
    rank,
    track_idx as track_id
from continuation_ranked

-- name: metric_truth_view
create or replace temp view {{ truth_relation }} as
select
    playlist_idx as playlist_id,
    track_idx as track_id
from continuation_query_truth
