{#- One row per (transition source, previous track, next track): how often the next track
    followed the previous one, its share of the previous track's outgoing transitions in
    that source, and how the audio features change. Playlist and scrobble transitions are
    in Spotify catalog ids; session transitions in the session dataset's own ids. -#}

with

playlist_transitions as (
    select * from {{ ref('int_playlist_transitions') }}
),

session_transitions as (
    select * from {{ ref('int_session_transitions') }}
),

scrobble_transitions as (
    select * from {{ ref('int_scrobble_transitions') }}
),

spotify_tracks as (
    select * from {{ ref('dim_spotify_tracks') }}
),

session_tracks as (
    select * from {{ ref('dim_session_tracks') }}
),

transitions as (
    select
        transition_source,
        prev_track_id,
        next_track_id
    from playlist_transitions
    union all
    select
        transition_source,
        prev_track_id,
        next_track_id
    from session_transitions
    union all
    select
        transition_source,
        prev_track_id,
        next_track_id
    from scrobble_transitions
),

pair_counts as (
    select
        transition_source,
        prev_track_id,
        next_track_id,
        count(*) as n_transitions
    from transitions
    group by transition_source, prev_track_id, next_track_id
),

shares as (
    select
        *,
        case when transition_source = 'session' then 'mssd' else 'spotify' end
            as track_id_space,
        cast(n_transitions as double)
        / sum(n_transitions) over (partition by transition_source, prev_track_id)
            as share_of_outgoing
    from pair_counts
),

features as (
    select
        'spotify' as track_id_space,
        track_id,
        danceability,
        energy,
        valence,
        acousticness,
        tempo_bpm,
        loudness_db
    from spotify_tracks
    union all
    select
        'mssd' as track_id_space,
        track_id,
        danceability,
        energy,
        valence,
        acousticness,
        tempo as tempo_bpm,
        loudness as loudness_db
    from session_tracks
),

final as (
    select
        shares.transition_source,
        shares.track_id_space,
        shares.prev_track_id,
        shares.next_track_id,
        shares.n_transitions,
        shares.share_of_outgoing,
        prev_features.danceability as prev_danceability,
        next_features.danceability as next_danceability,
        next_features.danceability - prev_features.danceability as delta_danceability,
        next_features.energy - prev_features.energy as delta_energy,
        next_features.valence - prev_features.valence as delta_valence,
        next_features.acousticness - prev_features.acousticness as delta_acousticness,
        next_features.tempo_bpm - prev_features.tempo_bpm as delta_tempo_bpm,
        next_features.loudness_db - prev_features.loudness_db as delta_loudness_db
    from shares
    left join features as prev_features
        on
            shares.track_id_space = prev_features.track_id_space
            and shares.prev_track_id = prev_features.track_id
    left join features as next_features
        on
            shares.track_id_space = next_features.track_id_space
            and shares.next_track_id = next_features.track_id
)

select * from final
