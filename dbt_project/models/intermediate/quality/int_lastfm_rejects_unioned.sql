with

final as (
    {{ rejected_rows_of('lastfm', ['base_lastfm__scrobbles']) }}
)

select * from final
