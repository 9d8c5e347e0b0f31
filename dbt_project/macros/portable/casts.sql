{#- Casts that turn a bad value into NULL (so the row can be rejected with a reason)
    instead of failing the build. dbt.safe_cast is a plain cast on DuckDB. -#}

{% macro try_cast(expr, type) -%}
    {{ return(adapter.dispatch('try_cast')(expr, type)) }}
{%- endmacro %}

{% macro default__try_cast(expr, type) -%}
    try_cast({{ expr }} as {{ type }})
{%- endmacro %}

{#- A number that may arrive as text, scientific notation or with stray spaces. -#}
{% macro try_number(expr, type='double') -%}
    {{ try_cast('trim(' ~ expr ~ ')', type) }}
{%- endmacro %}

{#- An integer column that may arrive as "12", "12.0" or "1.2e1"; a fraction is not an integer. -#}
{% macro try_integer(expr) -%}
    case
        when {{ try_cast('trim(' ~ expr ~ ')', 'double') }}
            = floor({{ try_cast('trim(' ~ expr ~ ')', 'double') }})
            then {{ try_cast(try_cast('trim(' ~ expr ~ ')', 'double'), 'bigint') }}
    end
{%- endmacro %}

{#- true/false as written by the datasets ("true", "True", "1", …); anything else NULL. -#}
{% macro try_boolean(expr) -%}
    case
        when lower(trim({{ expr }})) in ('true', 't', '1', 'yes') then true
        when lower(trim({{ expr }})) in ('false', 'f', '0', 'no') then false
    end
{%- endmacro %}

{#- Empty strings and whitespace become NULL (non-text values are compared as text). -#}
{% macro nullif_blank(expr) -%}
    nullif(trim(cast({{ expr }} as {{ dbt.type_string() }})), '')
{%- endmacro %}
