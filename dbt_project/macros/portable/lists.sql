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
