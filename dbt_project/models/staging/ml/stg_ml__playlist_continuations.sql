with

playlist_continuations as (
    select * from {{ source('ml', 'playlist_continuations') }}
),

final as (
    select
        run_id,
        playlist_id,
        seed_size,
        rank,
        track_id,
        method
    from playlist_continuations
)

select * from final
