-- name: pool_seed_tracks
-- the seed tracks a stage's similarity must cover
-- (with the fewest seeds any playlist using them has: fewer seeds, deeper lists)
with sized as (
    select
        seeds.playlist_idx,
        seeds.seed_size,
        seeds.track_idx,
        count(*) over (partition by seeds.playlist_idx, seeds.seed_size) as n_seeds
    from continuation_seeds as seeds
    inner join continuation_eval_all as eval
        on seeds.playlist_idx = eval.playlist_idx and seeds.seed_size = eval.seed_size
    where eval.pool = ?
)

select
    track_idx,
    min(n_seeds) as n_seeds
from sized
group by track_idx
order by track_idx

-- name: query_seed_tracks
select
    seeds.track_idx,
    min(queries.n_seeds) as n_seeds
from continuation_query_seeds as seeds
inner join continuation_queries as queries
    on seeds.playlist_idx = queries.playlist_idx
group by seeds.track_idx
order by seeds.track_idx

-- name: candidates_ctes
-- ours: every query playlist's candidates with their blend features. Candidates = each
-- seed's most similar tracks (fewer per seed for more seeds), the name's n / (1 + k) top
-- tracks and the n_popular most popular tracks; seeds excluded.
with queries as (
    select
        *,
        -- similar tracks per seed, name tracks per playlist: fewer for more seeds
        cast(least($n_similar, ceil($n_similar_per_playlist / greatest(n_seeds, 1))) as integer)
            as similar_depth,
        cast($n / (1 + n_seeds) as integer) as name_depth
    from continuation_queries
),

seeds as (
    select * from continuation_query_seeds
),

contributions as (
    select
        seeds.playlist_idx,
        similarity.candidate_idx as track_idx,
        similarity.cosine
    from seeds
    inner join queries
        on seeds.playlist_idx = queries.playlist_idx
    inner join continuation_similarity as similarity
        on
            seeds.track_idx = similarity.track_idx
            and similarity.neighbour_rank <= queries.similar_depth

    union all

    select
        queries.playlist_idx,
        names.track_idx,
        0.0 as cosine
    from queries
    inner join continuation_name_tracks as names
        on queries.name_key = names.name_key and names.name_rank <= queries.name_depth

    union all

    select
        queries.playlist_idx,
        stats.track_idx,
        0.0 as cosine
    from queries
    inner join continuation_track_stats as stats
        on stats.popularity_rank <= $n_popular
),

candidates as (
    select
        playlist_idx,
        track_idx,
        sum(cosine) as cooccurrence
    from contributions
    group by playlist_idx, track_idx
),

profiles as (
    select
        seeds.playlist_idx,
        {{ profile }}
    from seeds
    inner join continuation_features as features
        on seeds.track_idx = features.track_idx
    group by seeds.playlist_idx
),

featured as (
    select
        candidates.playlist_idx,
        candidates.track_idx,
        candidates.cooccurrence,
        coalesce(-({{ squared_distance }}), 0.0) as audio,
        stats.log_popularity as popularity,
        coalesce(names.name_share, 0.0) as name
    from candidates
    inner join queries
        on candidates.playlist_idx = queries.playlist_idx
    inner join continuation_track_stats as stats
        on candidates.track_idx = stats.track_idx
    left join profiles
        on candidates.playlist_idx = profiles.playlist_idx
    left join continuation_name_tracks as names
        on queries.name_key = names.name_key and candidates.track_idx = names.track_idx
    where not exists (
        select 1
        from seeds
        where
            seeds.playlist_idx = candidates.playlist_idx
            and seeds.track_idx = candidates.track_idx
    )
)

-- name: candidates
create or replace temp table continuation_candidates as
{{ candidates_ctes }}
select * from featured

-- name: rank
-- ours, rank: the CTEs given (ending in `featured`), ranked by the blend of
-- each query's seed size, top n (see cooccurrence._rank_sql)
create or replace temp table continuation_ranked as
{{ featured_ctes }},

keyed as (
    select
        featured.playlist_idx,
        cast(round(({{ blend }}) * {{ score_scale }}) as bigint) * {{ track_space }}
        + ({{ track_max }} - featured.track_idx) as sort_key
    from featured
    inner join continuation_queries as queries
        on featured.playlist_idx = queries.playlist_idx
    inner join continuation_blend as blend
        on queries.blend_size = blend.seed_size
),

top as (
    select
        playlist_idx,
        max(sort_key, $n) as sort_keys
    from keyed
    group by playlist_idx
),

unpacked as (
    select
        playlist_idx,
        generate_subscripts(sort_keys, 1) as rank,
        unnest(sort_keys) as sort_key
    from top
),

remainders as (
    select
        playlist_idx,
        rank,
        sort_key,
        ((sort_key % {{ track_space }}) + {{ track_space }}) % {{ track_space }} as remainder
    from unpacked
)

select
    playlist_idx,
    rank,
    cast({{ track_max }} - remainder as integer) as track_idx,
    ((sort_key - remainder) // {{ track_space }}) / {{ score_scale }} as score
from remainders

-- name: fill
-- lists shorter than n (few candidates) continue with the most popular remaining tracks
insert into continuation_ranked
with short as (
    select
        queries.playlist_idx,
        queries.n_seeds,
        count(ranked.track_idx) as n_ranked
    from continuation_queries as queries
    left join continuation_ranked as ranked
        on queries.playlist_idx = ranked.playlist_idx
    group by all
    having count(ranked.track_idx) < $n
),

fill as (
    select
        short.playlist_idx,
        short.n_ranked,
        stats.track_idx,
        stats.popularity_rank
    from short
    inner join continuation_track_stats as stats
        on stats.popularity_rank <= $n + short.n_seeds
    where
        not exists (
            select 1
            from continuation_ranked as ranked
            where ranked.playlist_idx = short.playlist_idx and ranked.track_idx = stats.track_idx
        )
        and not exists (
            select 1
            from continuation_query_seeds as seeds
            where seeds.playlist_idx = short.playlist_idx and seeds.track_idx = stats.track_idx
        )
)

select
    playlist_idx,
    n_ranked + row_number() over (partition by playlist_idx order by popularity_rank) as rank,
    track_idx,
    cast(null as double) as score
from fill
qualify rank <= $n
