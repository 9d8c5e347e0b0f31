{#- On predict-half rows every column describing the event's own behaviour (what the WSDM
    Cup predictor cannot see) is NULL, and so is the previous event's skip when that event
    is a predict one. Returns the offending rows. -#}

{%- set hidden_columns = [
    'is_context_switch', 'is_no_pause_before_play', 'is_short_pause_before_play',
    'is_long_pause_before_play', 'is_shuffle', 'hour_of_day', 'is_premium', 'context_type',
    'reason_start',
] -%}

with

skip_labels as (
    select * from {{ ref('fct_session_skip_labels') }}
),

final as (
    select
        session_id,
        session_position,
        session_half
    from skip_labels
    where
        (
            session_half = 'predict'
            and (
                false
                {% for c in hidden_columns %}
                    or {{ c }} is not null
                {% endfor %}
            )
        )
        or (not is_prev_observed and is_prev_skipped is not null)
)

select * from final
