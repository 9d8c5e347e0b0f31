-- name: n_mpd_playlists
select count(*) from marts.dim_playlists where playlist_source = 'mpd'
