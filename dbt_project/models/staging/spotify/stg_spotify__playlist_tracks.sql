with

base as (
    select * from {{ ref('base_spotify__playlist_tracks') }}
),

final as (
    select
        concat('user:', playlist_slug) as playlist_id,
        playlist_name,
        track_position,
        added_at,
        is_local,
        track_id,
        track_uri,
        track_name,
        duration_ms,
        popularity,
        artist_id,
        artist_name,
        artist_names,
        album_id,
        album_name,
        album_release_date,
        danceability,
        energy,
        speechiness,
        acousticness,
        instrumentalness,
        liveness,
        valence,
        loudness_db,
        tempo_bpm,
        key,
        mode,
        time_signature,
        source_format,
        source_file
    from base
    where reject_reason is null
)

select * from final
