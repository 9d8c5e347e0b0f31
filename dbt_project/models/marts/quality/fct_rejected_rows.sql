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

numbered as (
    {#- identical raw rows (repeated duplicates) are told apart by their occurrence -#}
    select
        *,
        row_number() over (
            partition by source_name, entity, source_file, reject_reason, raw_record
            order by source_name
        ) as occurrence
    from unioned
),

final as (
    select
        {{ dbt.hash(dbt.concat(['source_name', "'|'", 'entity', "'|'", 'source_file', "'|'",
            'reject_reason', "'|'", "coalesce(raw_record, '')", "'|'",
            'cast(occurrence as ' ~ dbt.type_string() ~ ')'])) }} as rejected_row_id,
        source_name,
        entity,
        source_file,
        reject_reason,
        raw_record
    from numbered
)

select * from final
