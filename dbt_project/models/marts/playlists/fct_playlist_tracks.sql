{#- One row per playlist entry (MPD and the user's own playlists). -#}

with

entries as (
    select * from {{ ref('int_playlist_tracks_unioned') }}
),

final as (
    select
        playlist_id,
        playlist_position,
        playlist_source,
        track_id,
        artist_id,
        album_id
    from entries
)

select * from final
