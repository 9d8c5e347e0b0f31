with

mssd as (
    select * from {{ ref('int_mssd_rejects_unioned') }}
),

mpd as (
    select * from {{ ref('int_mpd_rejects_unioned') }}
),

lastfm as (
    select * from {{ ref('int_lastfm_rejects_unioned') }}
),

spotify as (
    select * from {{ ref('int_spotify_rejects_unioned') }}
),

unioned as (
    select * from mssd
    union all
    select * from mpd
    union all
    select * from lastfm
    union all
    select * from spotify
),

final as (
    select
        rejected_row_id,
        source_name,
        entity,
        source_file,
        reject_reason,
        raw_record
    from unioned
)

select * from final
