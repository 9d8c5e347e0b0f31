{{ config(materialized='table') }}

{#- A URI that is not a catalog track's (a local file's) gives no track_id, no reject. -#}
{%- set track_id_expr = "nullif(regexp_extract(trim(streams.track_uri), "
    ~ "'^spotify:track:([0-9A-Za-z]{22})$', 1), '')" -%}
{%- set spec = [
    {'name': 'user_name', 'raw': 'user_name', 'type': 'text', 'required': true},
    {'name': 'ended_at', 'raw': 'ended_at', 'type': 'timestamp',
        'formats': ['iso_z', 'iso_t', 'iso', 'iso_minute']},
    {'name': 'ms_played', 'raw': 'ms_played', 'type': 'integer', 'required': true,
        'min': 0, 'max': 86400000},
    {'name': 'track_id', 'type': 'sql', 'expr': track_id_expr},
    {'name': 'track_uri', 'raw': 'track_uri', 'type': 'text'},
    {'name': 'track_name', 'raw': 'track_name', 'type': 'text', 'required': true},
    {'name': 'artist_name', 'raw': 'artist_name', 'type': 'text', 'required': true},
    {'name': 'album_name', 'raw': 'album_name', 'type': 'text'},
    {'name': 'episode_uri', 'raw': 'episode_uri', 'type': 'text'},
    {'name': 'episode_name', 'raw': 'episode_name', 'type': 'text'},
    {'name': 'audiobook_uri', 'raw': 'audiobook_uri', 'type': 'text'},
    {'name': 'audiobook_title', 'raw': 'audiobook_title', 'type': 'text'},
    {'name': 'platform', 'raw': 'platform', 'type': 'text'},
    {'name': 'conn_country', 'raw': 'conn_country', 'type': 'text'},
    {'name': 'reason_start', 'raw': 'reason_start', 'type': 'text'},
    {'name': 'reason_end', 'raw': 'reason_end', 'type': 'text'},
    {'name': 'is_shuffle', 'raw': 'shuffle', 'type': 'boolean'},
    {'name': 'is_skipped', 'raw': 'skipped', 'type': 'boolean'},
    {'name': 'is_offline', 'raw': 'offline', 'type': 'boolean'},
    {'name': 'is_incognito', 'raw': 'incognito_mode', 'type': 'boolean'},
] -%}
{#- An item without a track is a podcast episode, an audiobook, or (old exports, local
    files, videos) carries no metadata at all: none of them is a music play. Spotify
    launched in October 2008: earlier end times are broken clocks. -#}
{%- set checks = [
    {'when': 'typed.episode_uri is not null or typed.episode_name is not null',
        'reason': 'not a music track (podcast episode)'},
    {'when': 'typed.audiobook_uri is not null or typed.audiobook_title is not null',
        'reason': 'not a music track (audiobook)'},
    {'when': 'typed.track_name is null and typed.track_uri is null',
        'reason': 'missing track'},
    {'when': 'typed.ended_at is null', 'reason': 'missing or unparseable ended_at'},
    {'when': "typed.ended_at < timestamp '2008-10-01'", 'reason': 'ended_at before 2008'},
    {'when': 'typed.ended_at > ' ~ dbt.dateadd('day', 1, dbt.current_timestamp()),
        'reason': 'ended_at in the future'},
] -%}

with

streams as (
    select * from {{ source('spotify', 'streaming_history') }}
),

final as (
    {#- The same play twice (same user, end, track and time played: a re-delivered or
        overlapping export) is a duplicate; the first by file, then reasons, wins. -#}
    {{ stage_with_rejects(
        'streams', spec, ['user_name', 'ended_at', 'artist_name', 'track_name', 'ms_played'],
        order_by='file_modified_at, source_file, reason_start, reason_end, platform',
        passthrough=['source_format', 'source_file', 'file_modified_at'], checks=checks
    ) }}
)

select * from final
