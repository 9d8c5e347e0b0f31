{{ config(materialized='table') }}

{#- One row per track that appears in any playlist: a dense integer key in the order of the
    track id (so ordering by key is ordering by id) and the number of playlists holding it.
    The co-occurrence self-join and the top-k neighbour ranking run on these 4-byte keys
    instead of 22-character ids. -#}

with

entries as (
    select * from {{ ref('int_playlist_tracks_unioned') }}
),

memberships as (
    select distinct
        playlist_id,
        track_id
    from entries
    where track_id is not null
),

final as (
    select
        track_id,
        cast(row_number() over (order by track_id) as integer) as track_key,
        count(*) as n_playlists
    from memberships
    group by track_id
)

select * from final
