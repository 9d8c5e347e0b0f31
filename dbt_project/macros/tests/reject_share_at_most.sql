{#- The share of raw rows a staging base model rejected (duplicates not counted: those
    are merged, not lost) is at most `max_share`. Returns a row when it is above, so the
    same test can warn above a small share and fail above a large one. -#}
{% test reject_share_at_most(model, max_share, reason_column='reject_reason') -%}
    {{ return(adapter.dispatch('test_reject_share_at_most')(model, max_share, reason_column)) }}
{%- endtest %}

{% macro default__test_reject_share_at_most(model, max_share, reason_column) -%}
    with counts as (
        select
            count(*) as n_rows,
            sum(
                case
                    when {{ reason_column }} is not null and {{ reason_column }} <> 'duplicate'
                        then 1
                    else 0
                end
            ) as n_rejected
        from {{ model }}
    )

    select
        n_rows,
        n_rejected,
        n_rejected * 1.0 / n_rows as share_rejected
    from counts
    where n_rows > 0 and n_rejected * 1.0 / n_rows > {{ checked_number(max_share, 'reject_share_at_most max_share', 0, 1) }}
{%- endmacro %}
