{#- The k best neighbours of every track in `relation`, which holds each unordered pair once
    (columns track_a_key, track_b_key, n_cooccurrences, cosine_similarity, pmi): one row per
    (track_key, neighbour_rank), in both directions of each pair, ordered by cosine
    similarity desc, then count desc, then neighbour_key asc.

    DuckDB streams both directions of each pair (two zipped unnests, so the pairs are not
    materialised for a second scan) into a bounded list per track (`min_by(…, k)`): memory
    grows with the number of tracks times k, not with the number of pairs. A `row_number()`
    window would sort every directed pair (about 3 × 10^8 at bench scale) and spill tens of
    GB. Spark keeps the union and the window, which it distributes. -#}
{% macro top_k_neighbours(relation, k) -%}
    {{ return(adapter.dispatch('top_k_neighbours')(relation, k)) }}
{%- endmacro %}

{% macro duckdb__top_k_neighbours(relation, k) -%}
    select
        track_key,
        neighbour_rank,
        neighbour.neighbour_key,
        neighbour.n_cooccurrences,
        neighbour.cosine_similarity,
        neighbour.pmi
    from (
        select
            track_key,
            unnest(neighbours) as neighbour,
            generate_subscripts(neighbours, 1) as neighbour_rank
        from (
            select
                track_key,
                min_by(
                    {
                        'neighbour_key': neighbour_key,
                        'n_cooccurrences': n_cooccurrences,
                        'cosine_similarity': cosine_similarity,
                        'pmi': pmi
                    },
                    {
                        'cosine': -cosine_similarity,
                        'count': -n_cooccurrences,
                        'key': neighbour_key
                    },
                    {{ k }}
                ) as neighbours
            from (
                select
                    unnest([track_a_key, track_b_key]) as track_key,
                    unnest([track_b_key, track_a_key]) as neighbour_key,
                    n_cooccurrences,
                    cosine_similarity,
                    pmi
                from {{ relation }}
            ) as directed
            group by track_key
        ) as bounded
    ) as ranked
{%- endmacro %}

{% macro default__top_k_neighbours(relation, k) -%}
    select
        track_key,
        neighbour_rank,
        neighbour_key,
        n_cooccurrences,
        cosine_similarity,
        pmi
    from (
        select
            *,
            row_number() over (
                partition by track_key
                order by cosine_similarity desc, n_cooccurrences desc, neighbour_key asc
            ) as neighbour_rank
        from (
            select
                track_a_key as track_key,
                track_b_key as neighbour_key,
                n_cooccurrences,
                cosine_similarity,
                pmi
            from {{ relation }}
            union all
            select
                track_b_key as track_key,
                track_a_key as neighbour_key,
                n_cooccurrences,
                cosine_similarity,
                pmi
            from {{ relation }}
        ) as directed
    ) as ranked
    where neighbour_rank <= {{ k }}
{%- endmacro %}
