{#- One row per playlist with its size and the aggregate audio descriptors of its tracks:
    means of the 0–1 descriptors and duration, maxima of key, loudness, tempo and time
    signature (the aggregate vector the source write-ups' playlist generator used), plus
    standard deviations and the share of entries with features. -#}

with

playlists as (
    select * from {{ ref('int_playlists_unioned') }}
),

entries as (
    select * from {{ ref('int_playlist_tracks_unioned') }}
),

tracks as (
    select * from {{ ref('dim_spotify_tracks') }}
),

entry_features as (
    select
        entries.playlist_id,
        entries.track_id,
        entries.artist_id,
        entries.album_id,
        tracks.has_audio_features,
        tracks.duration_ms,
        tracks.danceability,
        tracks.energy,
        tracks.speechiness,
        tracks.acousticness,
        tracks.instrumentalness,
        tracks.liveness,
        tracks.valence,
        tracks.key,
        tracks.loudness_db,
        tracks.tempo_bpm,
        tracks.time_signature
    from entries
    left join tracks on entries.track_id = tracks.track_id
),

aggregated as (
    select
        playlist_id,
        count(*) as n_tracks,
        count(distinct track_id) as n_distinct_tracks,
        count(distinct artist_id) as n_artists,
        count(distinct album_id) as n_albums,
        cast(sum(duration_ms) as bigint) as total_duration_ms,
        cast(avg(case when has_audio_features then 1.0 else 0.0 end) as double)
            as share_with_features,
        avg(danceability) as mean_danceability,
        avg(energy) as mean_energy,
        avg(speechiness) as mean_speechiness,
        avg(acousticness) as mean_acousticness,
        avg(instrumentalness) as mean_instrumentalness,
        avg(liveness) as mean_liveness,
        avg(valence) as mean_valence,
        avg(duration_ms) as mean_duration_ms,
        max(key) as max_key,
        max(loudness_db) as max_loudness_db,
        max(tempo_bpm) as max_tempo_bpm,
        max(time_signature) as max_time_signature,
        stddev_samp(danceability) as sd_danceability,
        stddev_samp(energy) as sd_energy,
        stddev_samp(speechiness) as sd_speechiness,
        stddev_samp(acousticness) as sd_acousticness,
        stddev_samp(instrumentalness) as sd_instrumentalness,
        stddev_samp(liveness) as sd_liveness,
        stddev_samp(valence) as sd_valence,
        stddev_samp(duration_ms) as sd_duration_ms
    from entry_features
    group by playlist_id
),

final as (
    select
        playlists.playlist_id,
        playlists.playlist_source,
        playlists.playlist_name,
        playlists.description,
        playlists.is_collaborative,
        playlists.modified_at,
        playlists.n_followers,
        playlists.n_edits,
        aggregated.n_tracks,
        aggregated.n_distinct_tracks,
        aggregated.n_artists,
        aggregated.n_albums,
        aggregated.total_duration_ms,
        aggregated.share_with_features,
        aggregated.mean_danceability,
        aggregated.mean_energy,
        aggregated.mean_speechiness,
        aggregated.mean_acousticness,
        aggregated.mean_instrumentalness,
        aggregated.mean_liveness,
        aggregated.mean_valence,
        aggregated.mean_duration_ms,
        aggregated.max_key,
        aggregated.max_loudness_db,
        aggregated.max_tempo_bpm,
        aggregated.max_time_signature,
        aggregated.sd_danceability,
        aggregated.sd_energy,
        aggregated.sd_speechiness,
        aggregated.sd_acousticness,
        aggregated.sd_instrumentalness,
        aggregated.sd_liveness,
        aggregated.sd_valence,
        aggregated.sd_duration_ms
    from playlists
    inner join aggregated on playlists.playlist_id = aggregated.playlist_id
)

select * from final
