{#- A numeric project var, checked before it reaches SQL: `--vars '{similar_tracks_k: "1;
    drop table x"}'` stops the run with one line instead of running as SQL. Integers when
    `integer`, and within [min_value, max_value]. -#}
{% macro number_var(name, min_value, max_value, integer=false, default=none) -%}
    {{ return(checked_number(var(name, default), 'var ' ~ name, min_value, max_value, integer)) }}
{%- endmacro %}

{#- `value` as a number, or a one-line compile error naming `what`. -#}
{% macro checked_number(value, what, min_value, max_value, integer=false) -%}
    {%- set text = value | string | trim -%}
    {%- set pattern = '^-?[0-9]+$' if integer else '^-?[0-9]+(\\.[0-9]+)?([eE]-?[0-9]+)?$' -%}
    {%- if not modules.re.match(pattern, text) -%}
        {{ exceptions.raise_compiler_error(
            what ~ ' must be ' ~ ('an integer' if integer else 'a number')
            ~ ', got ' ~ text[:60]) }}
    {%- endif -%}
    {%- set number = text | int if integer else text | float -%}
    {%- if number < min_value or number > max_value -%}
        {{ exceptions.raise_compiler_error(
            what ~ ' must be between ' ~ min_value ~ ' and ' ~ max_value ~ ', got ' ~ text) }}
    {%- endif -%}
    {{ return(number) }}
{%- endmacro %}
