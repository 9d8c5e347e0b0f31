{#- One row per unordered pair of distinct tracks that share at least one playlist
    (track_a_id < track_b_id), with the number of playlists they share and how many
    playlists hold each. A track repeated within a playlist counts once there. -#}
{%- set min_cooccurrences = number_var(
    'similar_tracks_min_cooccurrences', 1, 1000000, integer=true
) %}

with

entries as (
    select * from {{ ref('int_playlist_tracks_unioned') }}
),

memberships as (
    select distinct
        playlist_id,
        track_id
    from entries
),

track_counts as (
    select
        track_id,
        count(*) as n_playlists
    from memberships
    group by track_id
),

pairs as (
    select
        a.track_id as track_a_id,
        b.track_id as track_b_id,
        count(*) as n_cooccurrences
    from memberships as a
    inner join memberships as b
        on a.playlist_id = b.playlist_id and a.track_id < b.track_id
    group by a.track_id, b.track_id
    having count(*) >= {{ min_cooccurrences }}
),

final as (
    select
        pairs.track_a_id,
        pairs.track_b_id,
        pairs.n_cooccurrences,
        counts_a.n_playlists as n_playlists_a,
        counts_b.n_playlists as n_playlists_b
    from pairs
    inner join track_counts as counts_a on pairs.track_a_id = counts_a.track_id
    inner join track_counts as counts_b on pairs.track_b_id = counts_b.track_id
)

select * from final
