{#- A table, not a view: its data tests and the pair marts read it, and at bench scale
    each would otherwise recompute the window over millions of rows. -#}
{{ config(materialized='table') }}
{#- One row per consecutive pair of entries of a playlist (MPD and the user's own). -#}

with

entries as (
    select * from {{ ref('int_playlist_tracks_unioned') }}
),

pairs as (
    {{ consecutive_pairs('entries', 'playlist_id', 'playlist_position', 'track_id') }}
),

sources as (
    select distinct
        playlist_id,
        playlist_source
    from entries
),

final as (
    select
        concat(sources.playlist_source, '_playlist') as transition_source,
        pairs.sequence_id,
        pairs.prev_position,
        pairs.prev_item as prev_track_id,
        pairs.next_item as next_track_id
    from pairs
    inner join sources on pairs.sequence_id = sources.playlist_id
)

select * from final
