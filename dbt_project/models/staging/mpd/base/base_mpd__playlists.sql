{#- Incremental by file (macros/staging/incremental_files.sql): a slice is parsed once per
    delivery; new slices are appended, playlists already loaded become `duplicate` rejects.
    Bounds reject only what cannot be (README, "Bounds and their sources"): negative counts
    or durations, a playlist without tracks, a time before Spotify's launch (2008-10-07) or
    in the future. Playlists beyond the MPD's 5–250 tracks are kept and counted by warn
    tests. The published slices always carry `collaborative`, `modified_at` and
    `num_albums`; slices people cut down to fewer fields (seen in the wild) omit them: NULL,
    not a reject. A playlist without a pid, a name or its tracks is unusable. -#}
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}

{%- set spec = [
    {'name': 'playlist_pid', 'raw': 'pid', 'type': 'integer', 'required': true, 'min': 0},
    {'name': 'playlist_name', 'raw': 'name', 'type': 'text', 'required': true},
    {'name': 'is_collaborative', 'raw': 'collaborative', 'type': 'boolean'},
    {'name': 'modified_at', 'raw': 'modified_at', 'type': 'epoch',
        'min': "timestamp '2008-10-07'", 'max': dbt.current_timestamp()},
    {'name': 'num_tracks', 'raw': 'num_tracks', 'type': 'integer', 'required': true,
        'min': 1},
    {'name': 'num_albums', 'raw': 'num_albums', 'type': 'integer', 'min': 1},
    {'name': 'num_artists', 'raw': 'num_artists', 'type': 'integer', 'required': true, 'min': 1},
    {'name': 'num_followers', 'raw': 'num_followers', 'type': 'integer', 'required': true,
        'min': 0},
    {'name': 'num_edits', 'raw': 'num_edits', 'type': 'integer', 'min': 0},
    {'name': 'duration_ms', 'raw': 'duration_ms', 'type': 'integer', 'min': 0},
    {'name': 'description', 'raw': 'description', 'type': 'text'},
    {'name': 'slice_name', 'raw': 'slice', 'type': 'text'},
] -%}
{%- set checks = [
    {'when': 'typed.tracks is null', 'reason': 'missing tracks'},
    {'when': 'typed.num_tracks <> ' ~ list_length('typed.tracks'),
        'reason': 'num_tracks does not match tracks'},
] -%}

with

playlists as (
    select * from {{ source('mpd', 'playlists') }}
    {{ skip_files(unchanged_loaded_files('mpd', 'playlists')) }}
),

final as (
    {{ stage_with_rejects(
        'playlists', spec, ['playlist_pid'], order_by='file_modified_at, source_file',
        passthrough=['tracks', 'source_file', 'file_modified_at'], checks=checks,
        loaded=this if is_incremental() else none
    ) }}
)

select * from final
