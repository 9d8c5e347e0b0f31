{#- No two rows share the same values of all the given columns (a compound key). Named
    apart from dbt_utils' `unique_combination_of_columns` (other arguments), so that a
    project adding dbt_utils compiles with both. -#}
{% test unique_together(model, columns) -%}
    {{ return(adapter.dispatch('test_unique_together')(model, columns)) }}
{%- endtest %}

{% macro default__test_unique_together(model, columns) -%}
    select
        {{ columns | join(', ') }},
        count(*) as n_rows
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{%- endmacro %}
