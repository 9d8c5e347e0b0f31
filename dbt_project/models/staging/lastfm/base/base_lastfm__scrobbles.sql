{#- Incremental by file (macros/staging/incremental_files.sql): new exports are appended,
    re-delivered or overlapping scrobbles become `duplicate` rejects. -#}
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}

{%- set played_at_expr -%}
    coalesce(
        {{ epoch_seconds_to_timestamp(nullif_blank('scrobbles.played_at_epoch')) }},
        {{ parse_time_by_layout('scrobbles.played_at_text', 'scrobbles.played_at_layout',
            ['lastfm_comma', 'lastfm_plain', 'iso_z', 'iso_t', 'iso', 'iso_minute']) }}
    )
{%- endset -%}
{%- set spec = [
    {'name': 'user_name', 'raw': 'user_name', 'type': 'text', 'required': true},
    {'name': 'artist_name', 'raw': 'artist_name', 'type': 'text', 'required': true},
    {'name': 'artist_mbid', 'raw': 'artist_mbid', 'type': 'text'},
    {'name': 'album_name', 'raw': 'album_name', 'type': 'text'},
    {'name': 'album_mbid', 'raw': 'album_mbid', 'type': 'text'},
    {'name': 'track_name', 'raw': 'track_name', 'type': 'text', 'required': true},
    {'name': 'track_mbid', 'raw': 'track_mbid', 'type': 'text'},
    {'name': 'played_at', 'raw': 'played_at_text', 'type': 'sql', 'expr': played_at_expr},
    {'name': 'played_at_epoch', 'raw': 'played_at_epoch', 'type': 'text'},
    {'name': 'played_at_layout', 'raw': 'played_at_layout', 'type': 'text'},
] -%}
{#- Last.fm started in 2002: earlier times are the 1970 stamps of broken clients. -#}
{%- set checks = [
    {'when': "lower(typed.raw__played_at_text) = 'now playing'",
        'reason': 'now playing (not a scrobble)'},
    {'when': 'typed.played_at is null', 'reason': 'missing or unparseable played_at'},
    {'when': "typed.played_at < timestamp '2002-03-01'", 'reason': 'played_at before 2002'},
    {'when': 'typed.played_at > ' ~ dbt.dateadd('day', 1, dbt.current_timestamp()),
        'reason': 'played_at in the future'},
] -%}

with

scrobbles as (
    select * from {{ source('lastfm', 'scrobbles') }}
    {{ skip_files(unchanged_loaded_files('lastfm', 'scrobbles')) }}
),

final as (
    {{ stage_with_rejects(
        'scrobbles', spec, ['user_name', 'played_at', 'artist_name', 'track_name'],
        order_by='file_modified_at, source_file',
        passthrough=['source_format', 'source_file', 'file_modified_at'], checks=checks,
        loaded=this if is_incremental() else none
    ) }}
)

select
    user_name,
    artist_name,
    artist_mbid,
    album_name,
    album_mbid,
    track_name,
    track_mbid,
    played_at,
    source_format,
    source_file,
    file_modified_at,
    reject_reason,
    raw_record
from final
