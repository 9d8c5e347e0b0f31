{#- Mean features of the session dataset's tracks by duration rounded to the minute: one
    row per rounded duration. -#}

{%- set mean_features = ['us_popularity_estimate', 'release_year', 'acousticness',
    'beat_strength', 'bounciness', 'danceability', 'dyn_range_mean', 'energy', 'flatness',
    'instrumentalness', 'liveness', 'loudness', 'mechanism', 'organism', 'speechiness',
    'tempo', 'valence'] -%}

with

session_tracks as (
    select * from {{ ref('dim_session_tracks') }}
),

final as (
    select
        duration_minutes_rounded,
        count(*) as n_tracks,
        avg(duration_s) as mean_duration_s,
        {% for f in mean_features %}
            avg({{ f }}) as mean_{{ f }},
        {% endfor %}
        avg(case when mode = 'major' then 1 when mode = 'minor' then 0 end) as share_major
    from session_tracks
    group by duration_minutes_rounded
)

select * from final
