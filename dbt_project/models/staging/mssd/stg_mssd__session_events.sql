with

base as (
    select * from {{ ref('base_mssd__session_events') }}
),

final as (
    select
        session_id,
        session_position,
        session_length,
        track_id,
        is_skip_1,
        is_skip_2,
        is_skip_3,
        is_not_skipped,
        is_context_switch,
        is_no_pause_before_play,
        is_short_pause_before_play,
        is_long_pause_before_play,
        n_seek_forward,
        n_seek_back,
        is_shuffle,
        hour_of_day,
        session_date,
        is_premium,
        context_type,
        reason_start,
        reason_end,
        source_file
    from base
    where reject_reason is null
)

select * from final
