with

final as (
    {{ rejected_rows_of('mpd', ['base_mpd__playlists','base_mpd__playlist_tracks']) }}
)

select * from final
