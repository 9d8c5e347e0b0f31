{#- One row per track entry of a playlist. Entries of a rejected playlist are rejected
    with it (`duplicate` when the playlist was one), so that raw entries = staged +
    rejected. Incremental with the playlists: a build explodes only the playlists of slice
    deliveries (file and modification time) it has not exploded before. A duration of 0 ms
    occurs in the real MPD and is kept; only a negative one is rejected. -#}
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}

{%- set spec = [
    {'name': 'playlist_pid', 'raw': 'playlist_pid', 'type': 'sql', 'expr': 'entries.playlist_pid',
        'required': true},
    {'name': 'track_position', 'raw': 'pos', 'type': 'integer', 'required': true,
        'min': 0},
    {'name': 'track_uri', 'raw': 'track_uri', 'type': 'text', 'required': true},
    {'name': 'track_id', 'raw': 'track_uri', 'type': 'sql',
        'expr': "nullif(split_part(" ~ nullif_blank('entries.track_uri') ~ ", ':', 3), '')"},
    {'name': 'track_name', 'raw': 'track_name', 'type': 'text'},
    {'name': 'artist_uri', 'raw': 'artist_uri', 'type': 'text'},
    {'name': 'artist_name', 'raw': 'artist_name', 'type': 'text'},
    {'name': 'album_uri', 'raw': 'album_uri', 'type': 'text'},
    {'name': 'album_name', 'raw': 'album_name', 'type': 'text'},
    {'name': 'duration_ms', 'raw': 'duration_ms', 'type': 'integer', 'min': 0},
] -%}
{%- set checks = [
    {'when': "typed.playlist_reject_reason = 'duplicate'", 'reason': 'duplicate'},
    {'when': 'typed.playlist_reject_reason is not null', 'reason': 'playlist rejected'},
    {'when': "typed.track_uri not like 'spotify:track:%'", 'reason': 'track_uri not a track URI'},
] -%}

with

playlists as (
    select * from {{ ref('base_mpd__playlists') }}
),

{% if is_incremental() -%}
exploded_deliveries as (
    select distinct
        source_file,
        file_modified_at
    from {{ this }}
),

{% endif -%}
exploded as (
    select
        playlists.playlist_pid,
        playlists.reject_reason as playlist_reject_reason,
        playlists.source_file,
        playlists.file_modified_at,
        {{ explode_list_with_index('playlists.tracks', 'track', 'list_index') }}
    from playlists
    {%- if is_incremental() %}
        left join exploded_deliveries
            on
                playlists.source_file = exploded_deliveries.source_file
                and playlists.file_modified_at = exploded_deliveries.file_modified_at
    where exploded_deliveries.source_file is null
    {%- endif %}
),

entries as (
    {#- struct fields keep their raw names; sqlfluff reads them as self-aliases -#}
    select  -- noqa: disable=AL09
        exploded.playlist_pid,
        exploded.playlist_reject_reason,
        exploded.source_file,
        exploded.file_modified_at,
        {#- `pos` is the 0-based position; slices cut down without it keep file order -#}
        coalesce(
            exploded.track.pos,
            cast(exploded.list_index as {{ dbt.type_string() }})
        ) as pos,
        exploded.track.track_uri as track_uri,
        exploded.track.track_name as track_name,
        exploded.track.artist_uri as artist_uri,
        exploded.track.artist_name as artist_name,
        exploded.track.album_uri as album_uri,
        exploded.track.album_name as album_name,
        exploded.track.duration_ms as duration_ms
    from exploded  -- noqa: enable=AL09
),

final as (
    {{ stage_with_rejects(
        'entries', spec, ['playlist_pid', 'track_position'],
        passthrough=['playlist_reject_reason', 'source_file', 'file_modified_at'],
        checks=checks
    ) }}
)

select
    playlist_pid,
    track_position,
    track_uri,
    track_id,
    track_name,
    artist_uri,
    artist_name,
    album_uri,
    album_name,
    duration_ms,
    source_file,
    file_modified_at,
    reject_reason,
    raw_record
from final
