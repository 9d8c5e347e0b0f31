{#- Per user per month, the mean Spotify audio descriptors of the scrobbles whose matched
    track has audio features (each play weighs once: a track played ten times counts ten
    times). Months without any such scrobble keep a row with NULL means. -#}

with

scrobbles as (
    select * from {{ ref('fct_scrobbles') }}
),

monthly as (
    select
        user_name,
        played_month,
        count(*) as n_scrobbles,
        count(*) filter (where has_audio_features) as n_scrobbles_with_features,
        avg(danceability) filter (where has_audio_features) as avg_danceability,
        avg(energy) filter (where has_audio_features) as avg_energy,
        avg(speechiness) filter (where has_audio_features) as avg_speechiness,
        avg(acousticness) filter (where has_audio_features) as avg_acousticness,
        avg(instrumentalness) filter (where has_audio_features) as avg_instrumentalness,
        avg(liveness) filter (where has_audio_features) as avg_liveness,
        avg(valence) filter (where has_audio_features) as avg_valence,
        avg(loudness_db) filter (where has_audio_features) as avg_loudness_db,
        avg(tempo_bpm) filter (where has_audio_features) as avg_tempo_bpm,
        avg(cast(mode as double)) filter (where has_audio_features) as share_major_mode
    from scrobbles
    group by user_name, played_month
),

final as (
    select
        user_name,
        played_month,
        n_scrobbles,
        n_scrobbles_with_features,
        cast(n_scrobbles_with_features as double) / n_scrobbles as share_with_features,
        cast(avg_danceability as double) as avg_danceability,
        cast(avg_energy as double) as avg_energy,
        cast(avg_speechiness as double) as avg_speechiness,
        cast(avg_acousticness as double) as avg_acousticness,
        cast(avg_instrumentalness as double) as avg_instrumentalness,
        cast(avg_liveness as double) as avg_liveness,
        cast(avg_valence as double) as avg_valence,
        cast(avg_loudness_db as double) as avg_loudness_db,
        cast(avg_tempo_bpm as double) as avg_tempo_bpm,
        cast(share_major_mode as double) as share_major_mode
    from monthly
)

select * from final
