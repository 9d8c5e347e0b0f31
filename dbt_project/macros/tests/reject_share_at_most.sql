{#- The share of raw rows a staging base model rejected (duplicates not counted: those
    are merged, not lost) is at most `max_share`. Above it, returns one row per reject
    reason: the model's row and reject counts, the share and the limit, the reason's row
    count and the file with most rows of that reason; so the same test can warn above a
    small share and fail above a large one, and a failure can say why (models_py reads
    these rows back to print the reasons). -#}
{% test reject_share_at_most(
    model, max_share, reason_column='reject_reason', file_column='source_file'
) -%}
    {{ return(adapter.dispatch('test_reject_share_at_most')(
        model, max_share, reason_column, file_column)) }}
{%- endtest %}

{% macro default__test_reject_share_at_most(model, max_share, reason_column, file_column) -%}
    {%- set share_limit = checked_number(max_share, 'reject_share_at_most max_share', 0, 1) -%}
    with model_rows as (
        select
            {{ reason_column }} as reject_reason,
            {{ file_column }} as source_file
        from {{ model }}
    ),

    counts as (
        select
            count(*) as n_rows,
            sum(
                case
                    when reject_reason is not null and reject_reason <> 'duplicate'
                        then 1
                    else 0
                end
            ) as n_rejected
        from model_rows
    ),

    by_file as (
        select
            reject_reason,
            source_file,
            count(*) as n_file_rows
        from model_rows
        where reject_reason is not null and reject_reason <> 'duplicate'
        group by reject_reason, source_file
    ),

    by_reason as (
        select
            reject_reason,
            source_file,
            sum(n_file_rows) over (partition by reject_reason) as n_reason_rows,
            row_number() over (
                partition by reject_reason
                order by n_file_rows desc, source_file asc
            ) as file_rank
        from by_file
    ),

    final as (
        select
            counts.n_rows,
            counts.n_rejected,
            counts.n_rejected * 1.0 / counts.n_rows as share_rejected,
            {{ share_limit }} as max_share,
            by_reason.reject_reason,
            by_reason.n_reason_rows,
            by_reason.source_file as example_file
        from counts
        cross join by_reason
        where
            by_reason.file_rank = 1
            and counts.n_rows > 0
            and counts.n_rejected * 1.0 / counts.n_rows > {{ share_limit }}
    )

    select * from final
{%- endmacro %}
