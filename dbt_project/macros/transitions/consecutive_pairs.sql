{#- Every consecutive (previous -> next) pair of items within a sequence: one row per
    adjacent pair, so a sequence of n items gives n - 1 pairs. Positions need not be
    contiguous; the order is by `order_by` within `partition_by`. -#}
{% macro consecutive_pairs(relation, partition_by, order_by, item) -%}
    select
        sequence_id,
        prev_position,
        prev_item,
        next_item
    from (
        select
            {{ partition_by }} as sequence_id,
            {{ order_by }} as prev_position,
            {{ item }} as prev_item,
            lead({{ item }}) over (
                partition by {{ partition_by }} order by {{ order_by }}
            ) as next_item,
            row_number() over (
                partition by {{ partition_by }} order by {{ order_by }} desc
            ) as n_from_end
        from {{ relation }}
    ) as ordered
    where n_from_end > 1
{%- endmacro %}
