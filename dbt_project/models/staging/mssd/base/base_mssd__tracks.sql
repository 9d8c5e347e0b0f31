{{ config(materialized='table') }}

{#- Bounds reject only what cannot be (README, "Bounds and their sources"): a negative
    duration, tempo or dynamic range, a percentile outside 0–100, key 13, a mode other than
    major/minor. Values that are merely rare (flatness above its published maximum, a
    popularity estimate under 90) are staged and counted by warn tests in
    _mssd__models.yml. Real MSSD flatness runs 0–1.1678 (about half above 1), so it has no
    upper bound here; zeros in flatness and tempo and loudness -60 are real placeholders. -#}
{%- set unit_features = [
    'acousticness', 'beat_strength', 'bounciness', 'danceability', 'energy', 'flatness',
    'instrumentalness', 'liveness', 'mechanism', 'organism', 'speechiness', 'valence',
] -%}
{%- set spec = [
    {'name': 'track_id', 'raw': 'track_id', 'type': 'text', 'required': true},
    {'name': 'duration_s', 'raw': 'duration', 'type': 'number', 'required': true, 'min': 0},
    {'name': 'release_year', 'raw': 'release_year', 'type': 'integer', 'min': 1877,
        'max': 'extract(year from current_date) + 1'},
    {'name': 'us_popularity_estimate', 'raw': 'us_popularity_estimate', 'type': 'number',
        'min': 0, 'max': 100},
    {'name': 'dyn_range_mean', 'raw': 'dyn_range_mean', 'type': 'number', 'min': 0},
    {'name': 'key', 'raw': 'key', 'type': 'integer', 'min': -1, 'max': 11},
    {'name': 'loudness', 'raw': 'loudness', 'type': 'number', 'min': -100, 'max': 20},
    {'name': 'mode', 'raw': 'mode', 'type': 'sql', 'accepted': ['major', 'minor'],
        'expr': "lower(" ~ nullif_blank('track_features.mode') ~ ")"},
    {'name': 'tempo', 'raw': 'tempo', 'type': 'number', 'min': 0},
    {'name': 'time_signature', 'raw': 'time_signature', 'type': 'integer', 'min': 0},
] -%}
{%- for f in unit_features -%}
    {%- if f == 'flatness' -%}
        {%- do spec.append({'name': f, 'raw': f, 'type': 'number', 'min': 0}) -%}
    {%- else -%}
        {%- do spec.append({'name': f, 'raw': f, 'type': 'number', 'min': 0, 'max': 1}) -%}
    {%- endif -%}
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
