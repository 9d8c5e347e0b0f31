{#- One row per consecutive pair of scrobbles within a user's listening session (a gap of
    more than the session gap starts a new one), where both scrobbles matched a Spotify
    track: unmatched scrobbles have no catalog id to pair. -#}

with

scrobbles as (
    select * from {{ ref('int_scrobbles_sessionized') }}
),

pairs as (
    {{ consecutive_pairs('scrobbles', 'listening_session_id', 'session_position', 'track_id') }}
),

final as (
    select
        'scrobble' as transition_source,
        sequence_id,
        prev_position,
        prev_item as prev_track_id,
        next_item as next_track_id
    from pairs
    where prev_item is not null and next_item is not null
)

select * from final
