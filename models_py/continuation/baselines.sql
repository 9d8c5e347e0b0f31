-- name: popularity_rank
create or replace temp table continuation_ranked as
select
    queries.playlist_idx,
    row_number() over (
        partition by queries.playlist_idx order by popularity.popularity_rank
    ) as rank,
    popularity.track_idx,
    popularity.log_popularity as score
from continuation_queries as queries
inner join continuation_popularity as popularity
    on popularity.popularity_rank <= $n + queries.n_seeds
where not exists (
    select 1
    from continuation_query_seeds as seeds
    where seeds.playlist_idx = queries.playlist_idx and seeds.track_idx = popularity.track_idx
)
qualify rank <= $n

-- name: source_rank
create or replace temp table continuation_ranked as
select
    playlist_idx,
    rank,
    track_idx,
    cast(null as double) as score
from continuation_source_lists

-- name: train_aggregates
select
    split.playlist_idx,
    playlists.n_followers,
    {{ aggregate_columns }}
from marts.dim_playlists as playlists
inner join continuation_split as split
    on playlists.playlist_id = split.playlist_id
where exists (
    select 1
    from continuation_train as train
    where train.playlist_idx = split.playlist_idx
)
order by split.playlist_idx

-- name: cluster_tracks
select distinct
    pools.cluster,
    train.track_idx
from continuation_train as train
inner join continuation_cluster_playlists as pools
    on train.playlist_idx = pools.playlist_idx
order by pools.cluster, train.track_idx

-- name: seed_aggregates
select
    seeds.playlist_idx,
    {{ seed_aggregates }}
from continuation_query_seeds as seeds
inner join continuation_tracks as keys
    on seeds.track_idx = keys.track_idx
left join marts.dim_spotify_tracks as tracks
    on keys.track_id = tracks.track_id
group by seeds.playlist_idx

-- name: query_seeds_in_order
select
    seeds.playlist_idx,
    seeds.track_idx
from continuation_query_seeds as seeds
inner join continuation_seeds as positions
    on seeds.playlist_idx = positions.playlist_idx and seeds.track_idx = positions.track_idx
where positions.seed_size = ?
order by seeds.playlist_idx, positions.seed_position

-- name: source_queries
select
    queries.playlist_idx,
    eval.n_tracks
from continuation_queries as queries
inner join continuation_eval_all as eval
    on queries.playlist_idx = eval.playlist_idx and queries.blend_size = eval.seed_size
order by eval.eval_rank
