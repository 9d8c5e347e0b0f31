{#- One row per element of a list column (DuckDB unnest, Spark explode). -#}
{% macro explode_list(expr) -%}
    {{ return(adapter.dispatch('explode_list')(expr)) }}
{%- endmacro %}

{% macro duckdb__explode_list(expr) -%}
    unnest({{ expr }})
{%- endmacro %}

{% macro spark__explode_list(expr) -%}
    explode({{ expr }})
{%- endmacro %}

{#- One row per element with its 0-based index: `<value_alias>, <index_alias>` in the
    select list (DuckDB unnests lists of one select in step; Spark: posexplode). -#}
{% macro explode_list_with_index(expr, value_alias, index_alias) -%}
    {{ return(adapter.dispatch('explode_list_with_index')(expr, value_alias, index_alias)) }}
{%- endmacro %}

{% macro duckdb__explode_list_with_index(expr, value_alias, index_alias) -%}
    unnest({{ expr }}) as {{ value_alias }},
    generate_subscripts({{ expr }}, 1) - 1 as {{ index_alias }}
{%- endmacro %}

{% macro spark__explode_list_with_index(expr, value_alias, index_alias) -%}
    posexplode({{ expr }}) as ({{ index_alias }}, {{ value_alias }})
{%- endmacro %}

{#- Number of elements of a list column. -#}
{% macro list_length(expr) -%}
    {{ return(adapter.dispatch('list_length')(expr)) }}
{%- endmacro %}

{% macro duckdb__list_length(expr) -%}
    len({{ expr }})
{%- endmacro %}

{% macro spark__list_length(expr) -%}
    size({{ expr }})
{%- endmacro %}
