{#- One row per listen (a Last.fm scrobble, or a Spotify stream that counts as one) with its
    Spotify track (the stream's own track id, else the URI match on case-folded, trimmed
    artist and track) and its listening session. A gap of more than
    `listening_session_gap_minutes` since the user's previous scrobble starts a new session;
    an exact gap of that length does not. Set-based: lag, then a running sum of starts. -#}

{%- set gap_minutes = listening_session_gap_minutes() -%}

with

listens as (
    select * from {{ ref('int_listens_unioned') }}
),

uri_matches as (
    select * from {{ ref('stg_spotify__uri_matches') }}
),

matched as (
    select
        listens.scrobble_id,
        listens.listen_source,
        listens.user_name,
        listens.played_at,
        listens.played_date,
        listens.artist_name,
        listens.album_name,
        listens.track_name,
        coalesce(listens.track_id, uri_matches.track_id) as track_id,
        listens.ms_played
    from listens
    left join uri_matches
        on
            lower(trim(listens.artist_name)) = uri_matches.artist_key
            and lower(trim(listens.track_name)) = uri_matches.track_key
),

with_previous as (
    select
        *,
        lag(played_at) over (
            partition by user_name
            order by played_at, scrobble_id
        ) as previous_played_at
    from matched
),

flagged as (
    select
        *,
        case
            when previous_played_at is null then 1
            when
                played_at > {{ dbt.dateadd('minute', gap_minutes, 'previous_played_at') }}
                then 1
            else 0
        end as starts_session
    from with_previous
),

numbered as (
    select
        *,
        sum(starts_session) over (
            partition by user_name
            order by played_at, scrobble_id
            rows between unbounded preceding and current row
        ) as session_number
    from flagged
),

sessions as (
    select
        *,
        min(played_at) over (
            partition by user_name, session_number
        ) as session_started_at,
        cast(row_number() over (
            partition by user_name, session_number
            order by played_at, scrobble_id
        ) as bigint) as session_position
    from numbered
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
        ms_played,
        {{ dbt.hash(dbt.concat([
            'user_name', "'|'", 'cast(session_started_at as ' ~ dbt.type_string() ~ ')'
        ])) }} as listening_session_id,
        session_position
    from sessions
)

select * from final
