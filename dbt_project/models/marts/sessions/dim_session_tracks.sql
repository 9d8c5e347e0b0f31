{#- One row per track of the session dataset (MSSD) with its acoustic features. Its `t_…`
    ids are the session dataset's own and unrelated to Spotify catalog ids
    (`dim_spotify_tracks`). -#}

with

tracks as (
    select * from {{ ref('stg_mssd__tracks') }}
),

final as (
    select
        track_id,
        {% for f in session_track_features() %}
            {{ f }},
        {% endfor %}
        cast(round(duration_s / 60) as integer) as duration_minutes_rounded
    from tracks
)

select * from final
