{#- Audio features of Spotify catalog tracks from every feature source, one row per track.
    Precedence: a single Web API object, then a Web API page, then a features CSV (all three
    are the API's own values), then the tracks-by-genre table (a third-party copy), then
    the features a 2024 Exportify playlist CSV carries. -#}

with

audio_features as (
    select * from {{ ref('stg_spotify__audio_features') }}
),

tracks_by_genre as (
    select * from {{ ref('stg_spotify__tracks_by_genre') }}
),

playlist_tracks as (
    select * from {{ ref('stg_spotify__playlist_tracks') }}
),

unioned as (
    select
        track_id,
        danceability,
        energy,
        speechiness,
        acousticness,
        instrumentalness,
        liveness,
        valence,
        loudness_db,
        tempo_bpm,
        duration_ms,
        key,
        mode,
        time_signature,
        source_format as feature_source,
        case source_format
            when 'api_object' then 1
            when 'api_page' then 2
            else 3
        end as precedence
    from audio_features
    union all
    select
        track_id,
        danceability,
        energy,
        speechiness,
        acousticness,
        instrumentalness,
        liveness,
        valence,
        loudness_db,
        tempo_bpm,
        duration_ms,
        key,
        mode,
        time_signature,
        'tracks_by_genre' as feature_source,
        4 as precedence
    from tracks_by_genre
    union all
    select distinct
        track_id,
        danceability,
        energy,
        speechiness,
        acousticness,
        instrumentalness,
        liveness,
        valence,
        loudness_db,
        tempo_bpm,
        nullif(duration_ms, 0) as duration_ms,  -- 0 for tracks no longer available
        key,
        mode,
        time_signature,
        'exportify_csv' as feature_source,
        5 as precedence
    from playlist_tracks
    where source_format = 'exportify_csv' and danceability is not null
),

ranked as (
    select
        unioned.*,
        row_number() over (
            partition by unioned.track_id
            order by unioned.precedence, unioned.feature_source
        ) as feature_rank
    from unioned
),

final as (
    select
        track_id,
        danceability,
        energy,
        speechiness,
        acousticness,
        instrumentalness,
        liveness,
        valence,
        loudness_db,
        tempo_bpm,
        duration_ms,
        key,
        mode,
        time_signature,
        feature_source
    from ranked
    where feature_rank = 1
)

select * from final
