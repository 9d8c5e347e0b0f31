{#- One row per Spotify catalog track seen anywhere (playlists, features, genres, scrobble
    matches), with its best-known names and its audio features. -#}

with

mentions as (
    select * from {{ ref('int_spotify_track_mentions_unioned') }}
),

features as (
    select * from {{ ref('int_spotify_track_features_unioned') }}
),

tracks as (
    select
        track_id,
        min_by(track_name, precedence) filter (where track_name is not null) as track_name,
        min_by(artist_id, precedence) filter (where artist_id is not null) as artist_id,
        min_by(artist_name, precedence) filter (where artist_name is not null) as artist_name,
        min_by(album_id, precedence) filter (where album_id is not null) as album_id,
        min_by(album_name, precedence) filter (where album_name is not null) as album_name,
        min_by(duration_ms, precedence) filter (where duration_ms is not null)
            as mention_duration_ms,
        max(popularity) as popularity,
        sum(case when mention_source = 'mpd' then n_mentions else 0 end) as n_mpd_entries,
        sum(case when mention_source = 'own_playlist' then n_mentions else 0 end)
            as n_own_playlist_entries,
        max(case when mention_source = 'uri_match' then 1 else 0 end) = 1 as is_scrobble_match
    from mentions
    group by track_id
),

all_tracks as (
    select track_id from tracks
    union
    select track_id from features
),

final as (
    select
        all_tracks.track_id,
        concat('spotify:track:', all_tracks.track_id) as track_uri,
        tracks.track_name,
        tracks.artist_id,
        tracks.artist_name,
        tracks.album_id,
        tracks.album_name,
        coalesce(features.duration_ms, tracks.mention_duration_ms) as duration_ms,
        tracks.popularity,
        cast(coalesce(tracks.n_mpd_entries, 0) as bigint) as n_mpd_entries,
        cast(coalesce(tracks.n_own_playlist_entries, 0) as bigint) as n_own_playlist_entries,
        coalesce(tracks.is_scrobble_match, false) as is_scrobble_match,
        features.track_id is not null as has_audio_features,
        features.feature_source,
        features.danceability,
        features.energy,
        features.speechiness,
        features.acousticness,
        features.instrumentalness,
        features.liveness,
        features.valence,
        features.loudness_db,
        features.tempo_bpm,
        features.key,
        features.mode,
        features.time_signature
    from all_tracks
    left join tracks on all_tracks.track_id = tracks.track_id
    left join features on all_tracks.track_id = features.track_id
)

select * from final
