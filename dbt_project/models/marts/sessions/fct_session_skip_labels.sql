{#- One row per event of a complete listening session: the WSDM Cup 2019 skip labels and
    the features a skip model may use. Leakage rule: labels and behaviour of predict-half
    events are blanked in `visible_events` before any feature is computed, and the
    session-level features come from `int_session_first_half_summarised`, which reads the
    observed half only; labels are joined back at the end and never feed a feature. -#}

{%- set track_features = session_track_features() -%}
{%- set audio_features = session_profile_audio_features() -%}
{%- set vector_features = session_profile_vector_features() -%}
{%- set prev_features = ['duration_s', 'us_popularity_estimate'] + audio_features -%}
{%- set behaviour_columns = [
    'is_context_switch', 'is_no_pause_before_play', 'is_short_pause_before_play',
    'is_long_pause_before_play', 'is_shuffle', 'hour_of_day', 'is_premium', 'context_type',
    'reason_start',
] -%}

with

halved_events as (
    select * from {{ ref('int_session_events_halved') }}
),

session_summaries as (
    select * from {{ ref('int_session_first_half_summarised') }}
),

tracks as (
    select * from {{ ref('stg_mssd__tracks') }}
),

complete_events as (
    select *
    from halved_events
    where is_complete_session
),

labels as (
    select
        session_id,
        session_position,
        is_skip_1,
        is_skip_2,
        is_skip_3,
        is_not_skipped
    from complete_events
),

visible_events as (
    {#- what the predictor sees of an event: everything of an observed one, only the track,
        position and length of a predict one #}
    select
        session_id,
        session_position,
        session_length,
        track_id,
        session_half,
        {% for c in behaviour_columns %}
            case when session_half = 'observed' then {{ c }} end as {{ c }},
        {% endfor %}
        session_half = 'observed' as is_observed,
        case when session_half = 'observed' then is_skip_2 end as observed_is_skip_2
    from complete_events
),

visible_with_previous as (
    {#- the previous event of the session, on a narrow row so that the window's sort stays
        small; its track's features are joined below, like the event's own #}
    select
        session_id,
        session_position,
        session_length,
        track_id,
        session_half,
        {% for c in behaviour_columns %}
            {{ c }},
        {% endfor %}
        lag(track_id) over (
            partition by session_id order by session_position
        ) as prev_track_id,
        lag(is_observed) over (
            partition by session_id order by session_position
        ) as prev_is_observed,
        lag(observed_is_skip_2) over (
            partition by session_id order by session_position
        ) as prev_observed_is_skip_2
    from visible_events
),

with_previous as (
    select
        visible_with_previous.session_id,
        visible_with_previous.session_position,
        visible_with_previous.session_length,
        visible_with_previous.track_id,
        visible_with_previous.session_half,
        {% for c in behaviour_columns %}
            visible_with_previous.{{ c }},
        {% endfor %}
        {% for f in track_features %}
            tracks.{{ f }},
        {% endfor %}
        {% for f in prev_features + vector_features %}
            prev_tracks.{{ f }} as prev_{{ f }},
        {% endfor %}
        visible_with_previous.prev_is_observed,
        visible_with_previous.prev_observed_is_skip_2,
        visible_with_previous.prev_track_id
    from visible_with_previous
    left join tracks on visible_with_previous.track_id = tracks.track_id
    left join tracks as prev_tracks on visible_with_previous.prev_track_id = prev_tracks.track_id
),

final as (
    select
        with_previous.session_id,
        with_previous.session_position,
        with_previous.session_length,
        with_previous.track_id,
        with_previous.session_half,
        {{ split_bucket('with_previous.session_id') }} as split_bucket,
        {{ split_name(split_bucket('with_previous.session_id')) }} as split,
        labels.is_skip_1,
        labels.is_skip_2,
        labels.is_skip_3,
        labels.is_not_skipped,
        labels.is_skip_2 as skip_label,
        coalesce(session_summaries.n_observed, 0) as n_observed,
        cast(with_previous.session_position as double)
        / with_previous.session_length as position_ratio,
        case
            when with_previous.session_half = 'observed' then 0
            else with_previous.session_position - coalesce(session_summaries.n_observed, 0)
        end as n_positions_since_last_observed,
        {% for f in track_features %}
            with_previous.{{ f }},
        {% endfor %}
        coalesce(with_previous.prev_is_observed, false) as is_prev_observed,
        case
            when with_previous.prev_is_observed then with_previous.prev_observed_is_skip_2
        end as is_prev_skipped,
        with_previous.prev_track_id,
        {% for f in prev_features %}
            with_previous.prev_{{ f }},
        {% endfor %}
        {{ euclidean_distance('with_previous.', 'with_previous.prev_', vector_features) }}
            as prev_track_vector_distance,
        session_summaries.session_date,
        {{ iso_day_of_week('session_summaries.session_date') }} as session_iso_weekday,
        session_summaries.session_hour_of_day,
        session_summaries.session_context_type,
        session_summaries.is_session_shuffle,
        session_summaries.is_session_premium,
        session_summaries.n_observed_skipped,
        session_summaries.share_observed_skip_1,
        session_summaries.share_observed_skipped,
        session_summaries.share_observed_skip_3,
        session_summaries.share_observed_not_skipped,
        session_summaries.share_observed_context_switch,
        session_summaries.is_last_observed_skipped,
        session_summaries.n_last_observed_streak,
        session_summaries.last_observed_reason_start,
        session_summaries.last_observed_reason_end,
        {% for f in audio_features + vector_features %}
            session_summaries.observed_skipped_mean_{{ f }},
            session_summaries.observed_played_mean_{{ f }},
        {% endfor %}
        {{ euclidean_distance(
            'with_previous.', 'session_summaries.observed_skipped_mean_', vector_features
        ) }} as vector_distance_to_observed_skipped,
        {{ euclidean_distance(
            'with_previous.', 'session_summaries.observed_played_mean_', vector_features
        ) }} as vector_distance_to_observed_played,
        {{ euclidean_distance(
            'with_previous.', 'session_summaries.observed_skipped_mean_', audio_features
        ) }} as audio_distance_to_observed_skipped,
        {{ euclidean_distance(
            'with_previous.', 'session_summaries.observed_played_mean_', audio_features
        ) }} as audio_distance_to_observed_played,
        {#- the session's taste is observed: its first track and the mean observed track #}
        {{ cosine_similarity(
            'with_previous.', 'session_summaries.first_track_', vector_features
        ) }} as cosine_to_first_track,
        {{ cosine_similarity(
            'with_previous.', 'session_summaries.observed_mean_', vector_features
        ) }} as cosine_to_observed_mean,
        {#- an event's own behaviour: NULL on predict-half rows (blanked in visible_events) #}
        {% for c in behaviour_columns %}
            with_previous.{{ c }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from with_previous
    inner join labels
        on
            with_previous.session_id = labels.session_id
            and with_previous.session_position = labels.session_position
    left join session_summaries on with_previous.session_id = session_summaries.session_id
)

select * from final
