{#- Transition counts by the popularity decile of the previous and the next track, per
    transition source. Popularity is the track's number of MPD playlist entries for
    Spotify tracks and the US popularity estimate for session tracks, each cut into
    deciles within its own id space (10 = most popular). -#}

with

pairs as (
    select * from {{ ref('fct_next_track_pairs') }}
),

spotify_tracks as (
    select * from {{ ref('dim_spotify_tracks') }}
),

session_tracks as (
    select * from {{ ref('dim_session_tracks') }}
),

deciles as (
    select
        'spotify' as track_id_space,
        track_id,
        cast(ntile(10) over (order by n_mpd_entries, track_id) as bigint) as popularity_decile
    from spotify_tracks
    union all
    select
        'mssd' as track_id_space,
        track_id,
        cast(ntile(10) over (order by us_popularity_estimate, track_id) as bigint)
            as popularity_decile
    from session_tracks
),

final as (
    select
        pairs.transition_source,
        prev_deciles.popularity_decile as prev_popularity_decile,
        next_deciles.popularity_decile as next_popularity_decile,
        cast(sum(pairs.n_transitions) as bigint) as n_transitions
    from pairs
    inner join deciles as prev_deciles
        on
            pairs.track_id_space = prev_deciles.track_id_space
            and pairs.prev_track_id = prev_deciles.track_id
    inner join deciles as next_deciles
        on
            pairs.track_id_space = next_deciles.track_id_space
            and pairs.next_track_id = next_deciles.track_id
    group by
        pairs.transition_source,
        prev_deciles.popularity_decile,
        next_deciles.popularity_decile
)

select * from final
