{#- A table, not a view: at bench scale each of its data tests would otherwise recompute
    the window over every observed event (about a minute each). -#}
{{ config(materialized='table') }}
{#- One row per complete session with at least one observed event: what the WSDM Cup
    predictor may know about the session, summarised from its observed (first) half only.
    Predict-half events are filtered out before anything is computed. -#}

{%- set vector_features = session_profile_vector_features() -%}
{%- set profile_features = session_profile_audio_features() + vector_features -%}

with

halved_events as (
    select * from {{ ref('int_session_events_halved') }}
),

tracks as (
    select * from {{ ref('stg_mssd__tracks') }}
),

observed_events as (
    select
        halved_events.session_id,
        halved_events.session_position,
        halved_events.session_length,
        halved_events.is_skip_1,
        halved_events.is_skip_2,
        halved_events.is_skip_3,
        halved_events.is_not_skipped,
        halved_events.is_context_switch,
        halved_events.is_shuffle,
        halved_events.hour_of_day,
        halved_events.session_date,
        halved_events.is_premium,
        halved_events.context_type,
        halved_events.reason_start,
        halved_events.reason_end,
        {% for f in profile_features %}
            tracks.{{ f }},
        {% endfor %}
        first_value(halved_events.is_skip_2) over (
            partition by halved_events.session_id
            order by halved_events.session_position desc
        ) as last_is_skip_2
    from halved_events
    left join tracks on halved_events.track_id = tracks.track_id
    where
        halved_events.is_complete_session
        and halved_events.session_half = 'observed'
),

observed_aggregates as (
    select
        session_id,
        count(*) as n_observed,
        cast(count_if(is_skip_2) as bigint) as n_observed_skipped,
        avg(case when is_skip_1 then 1 else 0 end) as share_observed_skip_1,
        avg(case when is_skip_2 then 1 else 0 end) as share_observed_skipped,
        avg(case when is_skip_3 then 1 else 0 end) as share_observed_skip_3,
        avg(case when is_not_skipped then 1 else 0 end) as share_observed_not_skipped,
        avg(case when is_context_switch then 1 else 0 end) as share_observed_context_switch,
        {% for f in profile_features %}
            avg({{ f }}) filter (where is_skip_2) as observed_skipped_mean_{{ f }},
            avg({{ f }}) filter (where not is_skip_2) as observed_played_mean_{{ f }},
        {% endfor %}
        {#- the session's taste: its first track (position 1 is always observed) and the
            mean of every observed track, whatever their skips #}
        {% for f in vector_features %}
            min_by({{ f }}, session_position) as first_track_{{ f }},
            avg({{ f }}) as observed_mean_{{ f }},
        {% endfor %}
        {#- the run of equal skip_2 values that ends the observed half #}
        max(session_position)
        - coalesce(max(case when is_skip_2 <> last_is_skip_2 then session_position end), 0)
            as n_last_observed_streak
    from observed_events
    group by session_id
),

last_observed_events as (
    select
        session_id,
        session_position,
        is_skip_2,
        reason_start,
        reason_end,
        session_date,
        hour_of_day,
        context_type,
        is_shuffle,
        is_premium
    from (
        select
            observed_events.*,
            row_number() over (
                partition by observed_events.session_id
                order by observed_events.session_position desc
            ) as n_from_end
        from observed_events
    ) as numbered
    where n_from_end = 1
),

final as (
    select
        observed_aggregates.session_id,
        observed_aggregates.n_observed,
        observed_aggregates.n_observed_skipped,
        observed_aggregates.share_observed_skip_1,
        observed_aggregates.share_observed_skipped,
        observed_aggregates.share_observed_skip_3,
        observed_aggregates.share_observed_not_skipped,
        observed_aggregates.share_observed_context_switch,
        last_observed_events.session_position as last_observed_position,
        last_observed_events.is_skip_2 as is_last_observed_skipped,
        observed_aggregates.n_last_observed_streak,
        last_observed_events.reason_start as last_observed_reason_start,
        last_observed_events.reason_end as last_observed_reason_end,
        last_observed_events.session_date,
        last_observed_events.hour_of_day as session_hour_of_day,
        last_observed_events.context_type as session_context_type,
        last_observed_events.is_shuffle as is_session_shuffle,
        {% for f in profile_features %}
            observed_aggregates.observed_skipped_mean_{{ f }},
            observed_aggregates.observed_played_mean_{{ f }},
        {% endfor %}
        {% for f in vector_features %}
            observed_aggregates.first_track_{{ f }},
            observed_aggregates.observed_mean_{{ f }},
        {% endfor %}
        last_observed_events.is_premium as is_session_premium
    from observed_aggregates
    inner join last_observed_events
        on observed_aggregates.session_id = last_observed_events.session_id
)

select * from final
