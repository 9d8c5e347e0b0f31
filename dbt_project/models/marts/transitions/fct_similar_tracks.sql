{#- The top-k most similar tracks of every track by playlist co-occurrence (k =
    `var('similar_tracks_k')`): one row per (track, neighbour) with the raw count, the
    cosine similarity count / sqrt(n_a * n_b) (the ranking score) and the pointwise mutual
    information log(count * N / (n_a * n_b)), N being the number of playlists. -#}

with

cooccurrences as (
    select * from {{ ref('int_playlist_track_cooccurrences') }}
),

playlist_tracks as (
    select * from {{ ref('fct_playlist_tracks') }}
),

n_playlists as (
    select count(distinct playlist_id) as n_total
    from playlist_tracks
),

scored as (
    select
        cooccurrences.track_a_id,
        cooccurrences.track_b_id,
        cooccurrences.n_cooccurrences,
        cooccurrences.n_cooccurrences
        / sqrt(cooccurrences.n_playlists_a * cooccurrences.n_playlists_b) as cosine_similarity,
        ln(
            cooccurrences.n_cooccurrences * n_playlists.n_total
            / (cooccurrences.n_playlists_a * cooccurrences.n_playlists_b * 1.0)
        ) as pmi
    from cooccurrences
    cross join n_playlists
),

both_directions as (
    select
        track_a_id as track_id,
        track_b_id as neighbour_track_id,
        n_cooccurrences,
        cosine_similarity,
        pmi
    from scored
    union all
    select
        track_b_id as track_id,
        track_a_id as neighbour_track_id,
        n_cooccurrences,
        cosine_similarity,
        pmi
    from scored
),

ranked as (
    select
        *,
        cast(row_number() over (
            partition by track_id
            order by cosine_similarity desc, n_cooccurrences desc, neighbour_track_id asc
        ) as bigint) as neighbour_rank
    from both_directions
),

final as (
    select
        track_id,
        neighbour_rank,
        neighbour_track_id,
        n_cooccurrences,
        cosine_similarity,
        pmi
    from ranked
    where neighbour_rank <= {{ number_var('similar_tracks_k', 1, 10000, integer=true) }}
)

select * from final
