with

base as (
    select * from {{ ref('base_spotify__uri_matches') }}
),

final as (
    select
        artist_key,
        track_key,
        artist_name,
        track_name,
        track_uri,
        track_id,
        track_id is not null as is_matched,
        source_file
    from base
    where reject_reason is null
)

select * from final
