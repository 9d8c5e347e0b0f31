{#- skip_2 rate of every staged session event by hour of day, by day of the week and by
    position in the session: one row per (dimension, bucket). -#}

{%- set weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday',
    'sunday'] -%}

with

halved_events as (
    select * from {{ ref('int_session_events_halved') }}
),

events as (
    select
        session_position,
        hour_of_day,
        {{ iso_day_of_week('session_date') }} as iso_weekday,
        case when is_skip_2 then 1 else 0 end as skipped
    from halved_events
),

by_hour as (
    select
        'hour_of_day' as dimension,
        lpad(cast(hour_of_day as {{ dbt.type_string() }}), 2, '0') as bucket,
        cast(hour_of_day as integer) as bucket_order,
        count(*) as n_events,
        cast(sum(skipped) as bigint) as n_skipped,
        avg(skipped) as share_skipped
    from events
    group by hour_of_day
),

by_weekday as (
    select
        'weekday' as dimension,
        case iso_weekday
            {% for d in weekdays %}
                when {{ loop.index }} then '{{ d }}'
            {% endfor %}
        end as bucket,
        iso_weekday as bucket_order,
        count(*) as n_events,
        cast(sum(skipped) as bigint) as n_skipped,
        avg(skipped) as share_skipped
    from events
    group by iso_weekday
),

by_position as (
    select
        'session_position' as dimension,
        cast(session_position as {{ dbt.type_string() }}) as bucket,
        cast(session_position as integer) as bucket_order,
        count(*) as n_events,
        cast(sum(skipped) as bigint) as n_skipped,
        avg(skipped) as share_skipped
    from events
    group by session_position
),

final as (
    select * from by_hour
    union all
    select * from by_weekday
    union all
    select * from by_position
)

select * from final
