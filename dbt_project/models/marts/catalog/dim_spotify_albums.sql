{#- One row per Spotify album with an id, from the catalog tracks. -#}

with

tracks as (
    select * from {{ ref('dim_spotify_tracks') }}
),

final as (
    select
        album_id,
        max(album_name) as album_name,
        max(artist_id) as artist_id,
        count(*) as n_tracks,
        cast(sum(n_mpd_entries) as bigint) as n_mpd_entries
    from tracks
    where album_id is not null
    group by album_id
)

select * from final
