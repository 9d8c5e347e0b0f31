with

own_playlist_continuations as (
    select * from {{ source('ml', 'own_playlist_continuations') }}
),

final as (
    select
        run_id,
        playlist_id,
        rank,
        track_id,
        score,
        method
    from own_playlist_continuations
)

select * from final
