{#- One row per Spotify artist with an id, from the catalog tracks. -#}

with

tracks as (
    select * from {{ ref('dim_spotify_tracks') }}
),

final as (
    select
        artist_id,
        max(artist_name) as artist_name,
        count(*) as n_tracks,
        count(distinct album_id) as n_albums,
        cast(sum(n_mpd_entries) as bigint) as n_mpd_entries
    from tracks
    where artist_id is not null
    group by artist_id
)

select * from final
