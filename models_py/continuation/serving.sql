-- name: own_queries
-- the user's own playlists: every track of theirs is a seed; the blend of the nearest
-- fitted seed size at or below their size (the smallest fitted one otherwise)
create or replace temp table continuation_queries as
with own as (
    select
        playlist_id,
        {{ name_key }} as name_key
    from marts.dim_playlists
    where playlist_source = 'own'
),

own_tracks as (
    select
        tracks.playlist_id,
        count(distinct tracks.track_id) as n_seeds
    from marts.fct_playlist_tracks as tracks
    where tracks.playlist_source = 'own' and tracks.track_id is not null
    group by tracks.playlist_id
),

sized as (
    select
        cast(row_number() over (order by own.playlist_id) as integer) as playlist_idx,
        own.playlist_id,
        own.name_key,
        coalesce(own_tracks.n_seeds, 0) as n_seeds
    from own
    left join own_tracks
        on own.playlist_id = own_tracks.playlist_id
)

select
    sized.playlist_idx,
    sized.playlist_id,
    coalesce(
        (select max(blend.seed_size) from continuation_blend as blend
         where blend.seed_size <= sized.n_seeds),
        (select min(blend.seed_size) from continuation_blend as blend)
    ) as blend_size,
    sized.name_key,
    sized.n_seeds
from sized

-- name: own_query_seeds
create or replace temp table continuation_query_seeds as
select distinct
    queries.playlist_idx,
    keys.track_idx
from marts.fct_playlist_tracks as tracks
inner join continuation_queries as queries
    on tracks.playlist_id = queries.playlist_id
inner join continuation_tracks as keys
    on tracks.track_id = keys.track_id
where tracks.playlist_source = 'own'

-- name: own_frame
select
    queries.playlist_id,
    ranked.rank,
    keys.track_id,
    ranked.score,
    $method as method
from continuation_ranked as ranked
inner join continuation_queries as queries
    on ranked.playlist_idx = queries.playlist_idx
inner join continuation_tracks as keys
    on ranked.track_idx = keys.track_idx
order by queries.playlist_id, ranked.rank
