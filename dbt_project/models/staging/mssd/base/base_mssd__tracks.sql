{{ config(materialized='table') }}

{%- set unit_features = [
    'acousticness', 'beat_strength', 'bounciness', 'danceability', 'energy', 'flatness',
    'instrumentalness', 'liveness', 'mechanism', 'organism', 'speechiness', 'valence',
] -%}
{%- set spec = [
    {'name': 'track_id', 'raw': 'track_id', 'type': 'text', 'required': true},
    {'name': 'duration_s', 'raw': 'duration', 'type': 'number', 'required': true,
        'min': 0, 'max': 36000},
    {'name': 'release_year', 'raw': 'release_year', 'type': 'integer', 'min': 1900, 'max': 2100},
    {'name': 'us_popularity_estimate', 'raw': 'us_popularity_estimate', 'type': 'number',
        'min': 0, 'max': 100},
    {'name': 'dyn_range_mean', 'raw': 'dyn_range_mean', 'type': 'number'},
    {'name': 'key', 'raw': 'key', 'type': 'integer', 'min': 0, 'max': 11},
    {'name': 'loudness', 'raw': 'loudness', 'type': 'number', 'min': -70, 'max': 10},
    {'name': 'mode', 'raw': 'mode', 'type': 'sql', 'accepted': ['major', 'minor'],
        'expr': "lower(" ~ nullif_blank('track_features.mode') ~ ")"},
    {'name': 'tempo', 'raw': 'tempo', 'type': 'number', 'min': 0, 'max': 300},
    {'name': 'time_signature', 'raw': 'time_signature', 'type': 'integer', 'min': 0, 'max': 12},
] -%}
{%- for f in unit_features -%}
    {%- do spec.append({'name': f, 'raw': f, 'type': 'number', 'min': 0, 'max': 1}) -%}
{%- endfor -%}
{%- for i in range(8) -%}
    {%- do spec.append({'name': 'acoustic_vector_' ~ i, 'raw': 'acoustic_vector_' ~ i,
        'type': 'number'}) -%}
{%- endfor -%}

with

track_features as (
    select * from {{ source('mssd', 'track_features') }}
),

final as (
    {{ stage_with_rejects('track_features', spec, ['track_id']) }}
)

select * from final
