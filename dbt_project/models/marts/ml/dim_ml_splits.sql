{#- The one train / validation / test split of every model: one row per thing a model holds
    out whole — a Spotify listening session (skip model), a playlist (playlist
    continuation, next track), a Last.fm listening session (next track). Every task reads
    its split here (the skip labels carry the same columns, from the same macro), so a
    playlist or session is on the same side for every task that sees it. -#}

with

mssd_sessions as (
    select distinct session_id
    from {{ ref('stg_mssd__session_events') }}
    where session_id is not null
),

playlists as (
    select playlist_id
    from {{ ref('dim_playlists') }}
    where playlist_id is not null
),

listening_sessions as (
    select distinct listening_session_id
    from {{ ref('int_scrobbles_sessionized') }}
    where listening_session_id is not null
),

entities as (
    select
        'mssd_session' as entity_type,
        session_id as entity_id
    from mssd_sessions
    union all
    select
        'playlist' as entity_type,
        playlist_id as entity_id
    from playlists
    union all
    select
        'listening_session' as entity_type,
        listening_session_id as entity_id
    from listening_sessions
),

bucketed as (
    select
        entity_type,
        entity_id,
        {{ split_bucket('entity_id') }} as split_bucket
    from entities
),

final as (
    select
        entity_type,
        entity_id,
        split_bucket,
        {{ split_name('split_bucket') }} as split
    from bucketed
)

select * from final
