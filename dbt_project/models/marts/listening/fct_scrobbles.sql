{#- One row per scrobble (a Last.fm scrobble, or a Spotify stream that counts as a listen),
    sessionized, with the matched Spotify track's duration and audio features.
    `minutes_listened` is the time a stream was really played; for a Last.fm scrobble the
    matched track's duration, or `default_track_minutes` when the scrobble is unmatched or
    its track has no duration: the one place the listening-time default lives. -#}

{%- set default_minutes = default_track_minutes() -%}

with

scrobbles as (
    select * from {{ ref('int_scrobbles_sessionized') }}
),

tracks as (
    select * from {{ ref('dim_spotify_tracks') }}
),

final as (
    select
        scrobbles.scrobble_id,
        scrobbles.listen_source,
        scrobbles.user_name,
        scrobbles.played_at,
        scrobbles.played_date,
        cast({{ dbt.date_trunc('month', 'scrobbles.played_date') }} as date) as played_month,
        scrobbles.artist_name,
        scrobbles.album_name,
        scrobbles.track_name,
        scrobbles.track_id,
        scrobbles.track_id is not null as is_matched,
        scrobbles.listening_session_id,
        scrobbles.session_position,
        cast(tracks.duration_ms as bigint) as duration_ms,
        scrobbles.ms_played,
        cast(
            coalesce(
                scrobbles.ms_played / 60000.0,
                tracks.duration_ms / 60000.0,
                {{ default_minutes }}
            ) as double
        ) as minutes_listened,
        scrobbles.ms_played is null and tracks.duration_ms is null as is_default_duration,
        coalesce(tracks.has_audio_features, false) as has_audio_features,
        tracks.danceability,
        tracks.energy,
        tracks.speechiness,
        tracks.acousticness,
        tracks.instrumentalness,
        tracks.liveness,
        tracks.valence,
        tracks.loudness_db,
        tracks.tempo_bpm,
        tracks.key,
        tracks.mode,
        tracks.time_signature
    from scrobbles
    left join tracks on scrobbles.track_id = tracks.track_id
)

select * from final
