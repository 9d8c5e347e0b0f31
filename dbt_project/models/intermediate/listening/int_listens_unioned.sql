{#- Every listen, whatever recorded it: the staged Last.fm scrobbles, and the plays of
    Spotify's own listening history that count as listens (`is_listen`: at least
    `min_listen_seconds` played, Last.fm's floor for a scrobble). A stream is placed at
    its start (`started_at`), the time a scrobble carries; its track id is known from its
    URI where the export has one, and its real play time comes along in `ms_played`. -#}

with

scrobbles as (
    select * from {{ ref('stg_lastfm__scrobbles') }}
),

streams as (
    select * from {{ ref('stg_spotify__streams') }}
),

unioned as (
    select
        scrobble_id,
        'lastfm' as listen_source,
        user_name,
        played_at,
        played_date,
        artist_name,
        album_name,
        track_name,
        cast(null as {{ dbt.type_string() }}) as track_id,
        cast(null as bigint) as ms_played
    from scrobbles
    union all
    select
        stream_id as scrobble_id,
        'spotify_streaming_history' as listen_source,
        user_name,
        started_at as played_at,
        cast(started_at as date) as played_date,
        artist_name,
        album_name,
        track_name,
        track_id,
        cast(ms_played as bigint) as ms_played
    from streams
    where is_listen
),

final as (
    select
        scrobble_id,
        listen_source,
        user_name,
        played_at,
        played_date,
        artist_name,
        album_name,
        track_name,
        track_id,
        ms_played
    from unioned
)

select * from final
