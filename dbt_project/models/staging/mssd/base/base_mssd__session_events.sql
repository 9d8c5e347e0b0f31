{#- Incremental by file (macros/staging/incremental_files.sql): new session logs are
    appended, events already loaded become `duplicate` rejects. Bounds reject only what
    cannot be (README, "Bounds and their sources"): a position below 1 or past the
    session's length, a negative seek count, hour 25, a session before Spotify's launch
    (2008-10-07) or in the future. A session longer than the public data's 20 tracks is
    kept and counted by a warn test. -#}
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}

{%- set flag_columns = [
    'skip_1', 'skip_2', 'skip_3', 'not_skipped', 'context_switch',
    'no_pause_before_play', 'short_pause_before_play', 'long_pause_before_play',
] -%}
{%- set spec = [
    {'name': 'session_id', 'raw': 'session_id', 'type': 'text', 'required': true},
    {'name': 'session_position', 'raw': 'session_position', 'type': 'integer',
        'required': true, 'min': 1},
    {'name': 'session_length', 'raw': 'session_length', 'type': 'integer',
        'required': true, 'min': 1},
    {'name': 'track_id', 'raw': 'track_id_clean', 'type': 'text', 'required': true},
] -%}
{%- for c in flag_columns -%}
    {%- do spec.append({'name': 'is_' ~ c, 'raw': c, 'type': 'boolean', 'required': true}) -%}
{%- endfor -%}
{%- do spec.extend([
    {'name': 'n_seek_forward', 'raw': 'hist_user_behavior_n_seekfwd', 'type': 'integer',
        'min': 0},
    {'name': 'n_seek_back', 'raw': 'hist_user_behavior_n_seekback', 'type': 'integer',
        'min': 0},
    {'name': 'is_shuffle', 'raw': 'hist_user_behavior_is_shuffle', 'type': 'boolean'},
    {'name': 'hour_of_day', 'raw': 'hour_of_day', 'type': 'integer', 'required': true,
        'min': 0, 'max': 23},
    {'name': 'session_date', 'raw': 'date', 'type': 'sql', 'required': true,
        'expr': 'cast(' ~ parse_time_by_layout('training_set.date', 'training_set.date_layout',
            ['date']) ~ ' as date)',
        'min': "date '2008-10-07'", 'max': 'current_date'},
    {'name': 'is_premium', 'raw': 'premium', 'type': 'boolean'},
    {'name': 'context_type', 'raw': 'context_type', 'type': 'text'},
    {'name': 'reason_start', 'raw': 'hist_user_behavior_reason_start', 'type': 'text'},
    {'name': 'reason_end', 'raw': 'hist_user_behavior_reason_end', 'type': 'text'},
]) -%}

{%- set checks = [
    {'when': 'typed.session_position > typed.session_length',
        'reason': 'session_position past session_length'},
] -%}

with

training_set as (
    select * from {{ source('mssd', 'training_set') }}
    {{ skip_files(unchanged_loaded_files('mssd', 'training_set')) }}
),

final as (
    {{ stage_with_rejects(
        'training_set', spec, ['session_id', 'session_position'],
        order_by='file_modified_at, source_file',
        passthrough=['source_file', 'file_modified_at'], checks=checks,
        loaded=this if is_incremental() else none
    ) }}
)

select * from final
