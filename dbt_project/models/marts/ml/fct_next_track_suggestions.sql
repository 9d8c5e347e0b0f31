{#- One row per catalog track × rank of the latest next-track run: the 10 tracks to play
    after it, with the back-off tier that produced each and names for BI. -#}

with

suggestions as (
    select * from {{ ref('stg_ml__next_track_suggestions') }}
),

tracks as (
    select * from {{ ref('dim_spotify_tracks') }}
),

final as (
    select
        suggestions.track_id,
        tracks.track_name,
        tracks.artist_name,
        suggestions.rank,
        suggestions.next_track_id,
        next_tracks.track_name as next_track_name,
        next_tracks.artist_name as next_artist_name,
        suggestions.score,
        suggestions.basis,
        suggestions.method,
        suggestions.run_id
    from suggestions
    left join tracks on suggestions.track_id = tracks.track_id
    left join tracks as next_tracks on suggestions.next_track_id = next_tracks.track_id
)

select * from final
