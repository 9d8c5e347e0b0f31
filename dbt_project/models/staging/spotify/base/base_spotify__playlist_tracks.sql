{{ config(materialized='table') }}

{%- set spec = [
    {'name': 'playlist_slug', 'raw': 'playlist_file_stem', 'type': 'sql', 'required': true,
        'expr': regexp_replace_all(
            'lower(trim(playlist_tracks.playlist_file_stem))', "'\\s+'", "'-'")},
    {'name': 'playlist_name', 'raw': 'playlist_name', 'type': 'text', 'required': true},
    {'name': 'track_position', 'raw': 'item_position', 'type': 'integer', 'required': true,
        'min': 1},
    {'name': 'added_at', 'raw': 'added_at', 'type': 'timestamp',
        'formats': ['iso_z', 'iso_t', 'iso', 'date']},
    {'name': 'is_local', 'raw': 'is_local', 'type': 'boolean'},
    {'name': 'track_id', 'raw': 'track_id', 'type': 'text', 'required': true},
    {'name': 'track_uri', 'raw': 'track_uri', 'type': 'text'},
    {'name': 'track_name', 'raw': 'track_name', 'type': 'text'},
    {'name': 'duration_ms', 'raw': 'duration_ms', 'type': 'integer', 'min': 0},
    {'name': 'popularity', 'raw': 'popularity', 'type': 'integer', 'min': 0, 'max': 100},
    {'name': 'artist_id', 'raw': 'artist_id', 'type': 'text'},
    {'name': 'artist_name', 'raw': 'artist_name', 'type': 'text'},
    {'name': 'artist_names', 'raw': 'artist_names', 'type': 'text'},
    {'name': 'album_id', 'raw': 'album_id', 'type': 'text'},
    {'name': 'album_name', 'raw': 'album_name', 'type': 'text'},
    {'name': 'album_release_date', 'raw': 'album_release_date', 'type': 'text'},
    {'name': 'source_format', 'raw': 'source_format', 'type': 'text'},
] -%}
{#- 2024 Exportify CSVs carry the track's audio features: typed and range-checked as every
    feature source is (duration is the item's own, above). -#}
{%- for f in spotify_feature_spec('playlist_tracks') if f.name != 'duration_ms' -%}
    {%- do spec.append(f) -%}
{%- endfor -%}

with

playlist_tracks as (
    select * from {{ source('spotify', 'playlist_tracks') }}
),

final as (
    {{ stage_with_rejects('playlist_tracks', spec, ['playlist_slug', 'track_position']) }}
)

select * from final
