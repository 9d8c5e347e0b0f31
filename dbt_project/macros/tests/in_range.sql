{#- Every non-null value lies within [min_value, max_value] (either bound optional). Named
    apart from dbt_utils' `accepted_range` (other arguments), so that a project adding
    dbt_utils compiles with both. -#}
{% test in_range(model, column_name, min_value=none, max_value=none) -%}
    {{ return(adapter.dispatch('test_in_range')(model, column_name, min_value, max_value)) }}
{%- endtest %}

{% macro default__test_in_range(model, column_name, min_value, max_value) -%}
    select {{ column_name }}
    from {{ model }}
    where
        {{ column_name }} is not null
        and (
            {%- if min_value is not none %} {{ column_name }} < {{ min_value }}{% endif %}
            {%- if min_value is not none and max_value is not none %} or{% endif %}
            {%- if max_value is not none %} {{ column_name }} > {{ max_value }}{% endif %}
            {%- if min_value is none and max_value is none %} false{% endif %}
        )
{%- endmacro %}
