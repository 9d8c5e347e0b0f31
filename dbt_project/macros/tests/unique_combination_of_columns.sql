{#- No two rows share the same values of all the given columns. -#}
{% test unique_combination_of_columns(model, combination_of_columns) -%}
    {{ return(adapter.dispatch('test_unique_combination_of_columns')(model, combination_of_columns)) }}
{%- endtest %}

{% macro default__test_unique_combination_of_columns(model, combination_of_columns) -%}
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as n_rows
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
{%- endmacro %}
