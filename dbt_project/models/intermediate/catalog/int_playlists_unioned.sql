{#- One row per playlist with what its source says about the playlist itself. The user's
    own playlists carry no followers, edits or modification time. -#}

with

mpd_playlists as (
    select * from {{ ref('stg_mpd__playlists') }}
),

own_playlist_tracks as (
    select * from {{ ref('stg_spotify__playlist_tracks') }}
),

own_playlists as (
    select
        playlist_id,
        max(playlist_name) as playlist_name,
        max(added_at) as modified_at
    from own_playlist_tracks
    group by playlist_id
),

final as (
    select
        playlist_id,
        'mpd' as playlist_source,
        playlist_name,
        description,
        is_collaborative,
        modified_at,
        num_followers as n_followers,
        num_edits as n_edits
    from mpd_playlists
    union all
    select
        playlist_id,
        'own' as playlist_source,
        playlist_name,
        cast(null as {{ dbt.type_string() }}) as description,
        false as is_collaborative,
        modified_at,
        cast(null as bigint) as n_followers,
        cast(null as bigint) as n_edits
    from own_playlists
)

select * from final
