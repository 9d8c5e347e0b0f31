{%- set min_listen_ms = min_listen_seconds() * 1000 -%}

with

base as (
    select * from {{ ref('base_spotify__streams') }}
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            'user_name', "'|'", 'cast(ended_at as ' ~ dbt.type_string() ~ ')', "'|'",
            'artist_name', "'|'", 'track_name', "'|'",
            'cast(ms_played as ' ~ dbt.type_string() ~ ')'
        ])) }} as stream_id,
        user_name,
        ended_at,
        {{ minus_milliseconds('ended_at', 'ms_played') }} as started_at,
        ms_played,
        ms_played >= {{ min_listen_ms }} as is_listen,
        track_id,
        track_uri,
        track_name,
        artist_name,
        album_name,
        platform,
        conn_country,
        reason_start,
        reason_end,
        is_shuffle,
        is_skipped,
        is_offline,
        is_incognito,
        source_format,
        source_file
    from base
    where reject_reason is null
)

select * from final
