with

final as (
    {{ rejected_rows_of('mssd', ['base_mssd__session_events','base_mssd__tracks']) }}
)

select * from final
