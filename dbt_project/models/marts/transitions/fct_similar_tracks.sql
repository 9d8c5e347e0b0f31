{#- The top-k most similar tracks of every track by playlist co-occurrence (k =
    `var('similar_tracks_k')`): one row per (track, neighbour) with the raw count, the
    cosine similarity count / sqrt(n_a * n_b) (the ranking score) and the pointwise mutual
    information log(count * N / (n_a * n_b)), N being the number of playlists. Ties in
    cosine go to the larger count, then to the smaller neighbour id. Everything up to the
    final rows runs on the integer track keys; the top k of both directions of each pair is
    a bounded per-track aggregate on DuckDB (macro top_k_neighbours). -#}

with

cooccurrences as (
    select * from {{ ref('int_playlist_track_cooccurrences') }}
),

track_keys as (
    select * from {{ ref('int_playlist_track_keys') }}
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
        cooccurrences.track_a_key,
        cooccurrences.track_b_key,
        cooccurrences.n_cooccurrences,
        cooccurrences.n_cooccurrences
        / sqrt(keys_a.n_playlists * keys_b.n_playlists) as cosine_similarity,
        ln(
            cooccurrences.n_cooccurrences * n_playlists.n_total
            / (keys_a.n_playlists * keys_b.n_playlists * 1.0)
        ) as pmi
    from cooccurrences
    inner join track_keys as keys_a on cooccurrences.track_a_key = keys_a.track_key
    inner join track_keys as keys_b on cooccurrences.track_b_key = keys_b.track_key
    cross join n_playlists
),

top_k as (
    {{ top_k_neighbours(
        'scored',
        number_var('similar_tracks_k', 1, 10000, integer=true)
    ) }}
),

final as (
    select
        tracks.track_id,
        cast(top_k.neighbour_rank as bigint) as neighbour_rank,
        neighbours.track_id as neighbour_track_id,
        top_k.n_cooccurrences,
        top_k.cosine_similarity,
        top_k.pmi
    from top_k
    inner join track_keys as tracks on top_k.track_key = tracks.track_key
    inner join track_keys as neighbours on top_k.neighbour_key = neighbours.track_key
)

select * from final
