with

base as (
    select * from {{ ref('base_mpd__playlists') }}
),

final as (
    select
        {{ mpd_playlist_id('playlist_pid') }} as playlist_id,
        playlist_pid,
        playlist_name,
        is_collaborative,
        modified_at,
        num_tracks,
        num_albums,
        num_artists,
        num_followers,
        num_edits,
        duration_ms,
        description,
        slice_name,
        source_file
    from base
    where reject_reason is null
)

select * from final
