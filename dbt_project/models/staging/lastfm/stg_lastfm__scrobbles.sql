with

base as (
    select * from {{ ref('base_lastfm__scrobbles') }}
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            'user_name', "'|'", 'cast(played_at as ' ~ dbt.type_string() ~ ')', "'|'",
            'artist_name', "'|'", 'track_name'
        ])) }} as scrobble_id,
        user_name,
        played_at,
        cast(played_at as date) as played_date,
        artist_name,
        artist_mbid,
        album_name,
        album_mbid,
        track_name,
        track_mbid,
        source_format,
        source_file
    from base
    where reject_reason is null
)

select * from final
