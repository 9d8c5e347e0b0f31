with

base as (
    select * from {{ ref('base_mpd__playlist_tracks') }}
),

final as (
    select
        {{ mpd_playlist_id('playlist_pid') }} as playlist_id,
        playlist_pid,
        track_position,
        track_id,
        track_uri,
        track_name,
        artist_uri,
        artist_name,
        album_uri,
        album_name,
        duration_ms,
        source_file
    from base
    where reject_reason is null
)

select * from final
