-- name: split
create or replace temp table continuation_split as
with playlists as (
    select
        playlists.playlist_id,
        playlists.playlist_name,
        splits.split
    from marts.dim_playlists as playlists
    inner join marts.dim_ml_splits as splits
        on splits.entity_type = 'playlist'
        and playlists.playlist_id = splits.entity_id
    where playlists.playlist_source = 'mpd'
)

select
    playlist_id,
    cast(row_number() over (order by playlist_id) as integer) as playlist_idx,
    md5_number(playlist_id) as sample_order,
    split = 'test' as is_test,
    split = 'validation' as is_validation,
    playlist_name is not null as has_name,
    {{ name_key }} as name_key
from playlists

-- name: tracks
-- every track of a playlist (MPD or own) gets a dense integer key, in track id order
create or replace temp table continuation_tracks as
select
    track_id,
    cast(row_number() over (order by track_id) as integer) as track_idx
from (
    select distinct track_id
    from marts.fct_playlist_tracks
    where track_id is not null
)

-- name: entries
create or replace temp table continuation_entries as
select
    tracks.playlist_id,
    tracks.playlist_position,
    tracks.track_id,
    split.is_test,
    split.is_validation,
    split.playlist_idx,
    keys.track_idx
from marts.fct_playlist_tracks as tracks
inner join continuation_split as split
    on tracks.playlist_id = split.playlist_id
inner join continuation_tracks as keys
    on tracks.track_id = keys.track_id
where tracks.playlist_source = 'mpd'

-- name: features
-- standardised audio features of every playlist track (a track property: no leakage)
create or replace temp table continuation_features as
with catalog as (
    select
        keys.track_idx,
        {{ audio_columns }}
    from continuation_tracks as keys
    left join marts.dim_spotify_tracks as tracks
        on keys.track_id = tracks.track_id
),

stats as (
    select
        {{ audio_stats }}
    from catalog
)

select
    catalog.track_idx,
    {{ audio_z }}
from catalog
cross join stats

-- name: seeds
-- seeds of every held-out playlist (test and validation pools) at every seed size
create or replace temp table continuation_seeds as
with sizes as (
    select unnest(cast(? as bigint[])) as seed_size
)

select
    entries.playlist_id,
    sizes.seed_size,
    entries.track_id,
    min(entries.playlist_position) as seed_position,
    entries.playlist_idx,
    entries.track_idx
from continuation_entries as entries
inner join sizes
    on entries.playlist_position <= sizes.seed_size
where entries.is_test or entries.is_validation
group by all

-- name: truth_all
create or replace temp table continuation_truth_all as
with sizes as (
    select unnest(cast(? as bigint[])) as seed_size
)

select distinct
    entries.playlist_idx,
    sizes.seed_size,
    entries.track_idx
from continuation_entries as entries
inner join sizes
    on entries.playlist_position > sizes.seed_size
where
    (entries.is_test or entries.is_validation)
    and not exists (
        select 1
        from continuation_seeds as seeds
        where
            seeds.playlist_idx = entries.playlist_idx
            and seeds.seed_size = sizes.seed_size
            and seeds.track_idx = entries.track_idx
    )

-- name: eval_all
create or replace temp table continuation_eval_all as
with candidates as (
    select distinct
        playlist_idx,
        seed_size
    from continuation_truth_all
),

n_tracks as (
    select
        playlist_idx,
        count(*) as n_tracks
    from continuation_entries
    where is_test or is_validation
    group by playlist_idx
)

select
    case when split.is_test then 'test' else 'validation' end as pool,
    split.playlist_id,
    candidates.playlist_idx,
    candidates.seed_size,
    n_tracks.n_tracks,
    row_number() over (
        partition by split.is_test, candidates.seed_size
        order by split.sample_order, split.playlist_id
    ) as eval_rank
from candidates
inner join continuation_split as split
    on candidates.playlist_idx = split.playlist_idx
inner join n_tracks
    on candidates.playlist_idx = n_tracks.playlist_idx
where candidates.seed_size > 0 or split.has_name
qualify eval_rank <= case when split.is_test then $max_test else $max_validation end

-- name: truth_trim
create or replace temp table continuation_truth as
select truth.*
from continuation_truth_all as truth
where exists (
    select 1
    from continuation_eval_all as eval
    where eval.playlist_idx = truth.playlist_idx and eval.seed_size = truth.seed_size
)

-- name: pool
-- the held-out pools' evaluation rows, one temp table per pool (names are constants)
create or replace temp table {{ table }} as
select
    playlist_id,
    seed_size,
    n_tracks,
    eval_rank,
    playlist_idx
from continuation_eval_all
where pool = '{{ pool }}'

-- name: predictions_table
create or replace temp table continuation_predictions (
    method string,
    seed_size integer,
    playlist_idx integer,
    rank integer,
    track_idx integer
)

-- name: truth_frame
select
    split.playlist_id,
    truth.seed_size,
    keys.track_id
from continuation_truth as truth
inner join continuation_eval as eval
    on truth.playlist_idx = eval.playlist_idx and truth.seed_size = eval.seed_size
inner join continuation_split as split
    on truth.playlist_idx = split.playlist_idx
inner join continuation_tracks as keys
    on truth.track_idx = keys.track_idx
where truth.seed_size = ?
order by split.playlist_id, keys.track_id

-- name: train
-- the training playlists of a stage: the only input of every predictor
create or replace temp table continuation_train as
select distinct
    playlist_idx,
    track_idx
from continuation_entries
where
    ($include_test or not is_test)
    and ($include_validation or not is_validation)

-- name: popularity
create or replace temp table continuation_popularity as
select
    track_idx,
    count(*) as n_playlists,
    ln(count(*)) as log_popularity,
    row_number() over (order by count(*) desc, track_idx asc) as popularity_rank
from continuation_train
group by track_idx

-- name: name_tracks
-- per normalised name, its n most frequent tracks among the training playlists of that name
create or replace temp table continuation_name_tracks as
with named as (
    select
        split.name_key,
        train.playlist_idx,
        train.track_idx
    from continuation_train as train
    inner join continuation_split as split
        on train.playlist_idx = split.playlist_idx
    where split.name_key is not null
),

names as (
    select
        name_key,
        count(distinct playlist_idx) as n_name_playlists
    from named
    group by name_key
),

shares as (
    select
        named.name_key,
        named.track_idx,
        count(*) / (any_value(names.n_name_playlists) + $name_prior) as name_share
    from named
    inner join names
        on named.name_key = names.name_key
    group by named.name_key, named.track_idx
)

select
    name_key,
    track_idx,
    name_share,
    row_number() over (partition by name_key order by name_share desc, track_idx) as name_rank
from shares
qualify name_rank <= $n

-- name: track_stats
-- per training track of a stage: popularity and standardised audio features in one row
create or replace temp table continuation_track_stats as
select
    popularity.track_idx,
    popularity.popularity_rank,
    popularity.log_popularity,
    {{ z_columns }}
from continuation_popularity as popularity
inner join continuation_features as features
    on popularity.track_idx = features.track_idx

-- name: pool_queries
-- the playlists to continue at one seed size (one pool), their seeds and ground truth
create or replace temp table continuation_queries as
select
    eval.playlist_idx,
    eval.playlist_id,
    eval.seed_size as blend_size,
    split.name_key,
    count(seeds.track_idx) as n_seeds
from continuation_eval_all as eval
inner join continuation_split as split
    on eval.playlist_idx = split.playlist_idx
left join continuation_seeds as seeds
    on eval.playlist_idx = seeds.playlist_idx and eval.seed_size = seeds.seed_size
where eval.pool = $pool and eval.seed_size = $seed_size
group by all

-- name: pool_query_seeds
create or replace temp table continuation_query_seeds as
select
    seeds.playlist_idx,
    seeds.track_idx
from continuation_seeds as seeds
where
    seeds.seed_size = $seed_size
    and exists (
        select 1
        from continuation_queries as queries
        where queries.playlist_idx = seeds.playlist_idx
    )

-- name: pool_query_truth
create or replace temp table continuation_query_truth as
select
    truth.playlist_idx,
    truth.track_idx
from continuation_truth as truth
where
    truth.seed_size = $seed_size
    and exists (
        select 1
        from continuation_queries as queries
        where queries.playlist_idx = truth.playlist_idx
    )
