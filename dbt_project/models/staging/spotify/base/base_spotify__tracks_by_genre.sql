{{ config(materialized='table') }}

{%- set spec = [
    {'name': 'genre', 'raw': 'genre', 'type': 'text', 'required': true},
    {'name': 'track_id', 'raw': 'track_id', 'type': 'text', 'required': true},
    {'name': 'artist_name', 'raw': 'artist_name', 'type': 'text'},
    {'name': 'track_name', 'raw': 'track_name', 'type': 'text'},
    {'name': 'popularity', 'raw': 'popularity', 'type': 'integer', 'min': 0, 'max': 100},
] + spotify_feature_spec(
    'tracks_by_genre',
    key_expr=pitch_class_from_name('tracks_by_genre.key'),
    mode_expr=mode_from_name('tracks_by_genre.mode'),
    time_signature_expr=beats_per_bar_from_text('tracks_by_genre.time_signature'),
) -%}

with

tracks_by_genre as (
    select * from {{ source('spotify', 'tracks_by_genre') }}
),

final as (
    {{ stage_with_rejects('tracks_by_genre', spec, ['genre', 'track_id']) }}
)

select * from final
