with

final as (
    {{ rejected_rows_of('spotify', [
        'base_spotify__audio_features',
        'base_spotify__tracks_by_genre',
        'base_spotify__playlist_tracks',
        'base_spotify__uri_matches',
        'base_spotify__streams',
    ]) }}
)

select * from final
