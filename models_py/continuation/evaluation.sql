-- name: append
insert into continuation_predictions
select
    $method,
    $seed_size,
    playlist_idx,
    rank,
    track_idx
from continuation_ranked

-- name: predictions_frame
select
    split.playlist_id,
    predictions.seed_size,
    predictions.rank,
    keys.track_id,
    predictions.method
from continuation_predictions as predictions
inner join continuation_split as split
    on predictions.playlist_idx = split.playlist_idx
inner join continuation_tracks as keys
    on predictions.track_idx = keys.track_idx
where ($method is null or predictions.method = $method)
    and ($seed_size is null or predictions.seed_size = $seed_size)
order by predictions.method, predictions.seed_size, split.playlist_id, predictions.rank
