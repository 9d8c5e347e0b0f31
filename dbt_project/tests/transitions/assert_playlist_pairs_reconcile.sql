-- Playlist transitions = Σ (entries − 1) over playlists, per playlist source
-- (for the MPD that is Σ (num_tracks − 1) over its valid playlists). Returns the
-- sources where the two differ.
with

pairs as (
    select * from {{ ref('fct_next_track_pairs') }}
),

entries as (
    select * from {{ ref('fct_playlist_tracks') }}
),

expected as (
    select
        concat(playlist_source, '_playlist') as transition_source,
        sum(n_entries - 1) as n_expected
    from (
        select
            playlist_source,
            playlist_id,
            count(*) as n_entries
        from entries
        group by playlist_source, playlist_id
    ) as per_playlist
    group by playlist_source
),

actual as (
    select
        transition_source,
        sum(n_transitions) as n_actual
    from pairs
    where transition_source like '%_playlist'
    group by transition_source
)

select
    expected.transition_source,
    expected.n_expected,
    actual.n_actual
from expected
full outer join actual on expected.transition_source = actual.transition_source
where coalesce(expected.n_expected, 0) <> coalesce(actual.n_actual, 0)
