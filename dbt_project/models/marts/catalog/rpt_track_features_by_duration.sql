{#- Mean audio descriptors of Spotify catalog tracks by duration rounded to the minute
    (tracks of 20 minutes or more share the last bucket). -#}

with

tracks as (
    select * from {{ ref('dim_spotify_tracks') }}
),

bucketed as (
    select
        cast(least(round(duration_ms / 60000.0), 20) as integer) as duration_minutes,
        danceability,
        energy,
        speechiness,
        acousticness,
        instrumentalness,
        liveness,
        valence,
        loudness_db,
        tempo_bpm
    from tracks
    where has_audio_features and duration_ms is not null
),

final as (
    select
        duration_minutes,
        count(*) as n_tracks,
        avg(danceability) as mean_danceability,
        avg(energy) as mean_energy,
        avg(speechiness) as mean_speechiness,
        avg(acousticness) as mean_acousticness,
        avg(instrumentalness) as mean_instrumentalness,
        avg(liveness) as mean_liveness,
        avg(valence) as mean_valence,
        avg(loudness_db) as mean_loudness_db,
        avg(tempo_bpm) as mean_tempo_bpm
    from bucketed
    group by duration_minutes
)

select * from final
