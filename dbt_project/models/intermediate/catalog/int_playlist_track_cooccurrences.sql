{#- One row per unordered pair of distinct tracks that share at least one playlist
    (track_a_key < track_b_key, keys from int_playlist_track_keys), with the number of
    playlists they share. A track repeated within a playlist counts once there. The
    self-join and the grouping run on integer keys: at bench scale this is ~10^8 pairs. -#}
{%- set min_cooccurrences = number_var(
    'similar_tracks_min_cooccurrences', 1, 1000000, integer=true
) %}

with

entries as (
    select * from {{ ref('int_playlist_tracks_unioned') }}
),

track_keys as (
    select * from {{ ref('int_playlist_track_keys') }}
),

memberships as (
    select distinct
        entries.playlist_id,
        track_keys.track_key
    from entries
    inner join track_keys on entries.track_id = track_keys.track_id
),

keyed_memberships as (
    select
        dense_rank() over (order by playlist_id) as playlist_key,
        track_key
    from memberships
),

pairs as (
    select
        a.track_key as track_a_key,
        b.track_key as track_b_key,
        count(*) as n_cooccurrences
    from keyed_memberships as a
    inner join keyed_memberships as b
        on a.playlist_key = b.playlist_key and a.track_key < b.track_key
    group by a.track_key, b.track_key
    having count(*) >= {{ min_cooccurrences }}
)

select * from pairs
