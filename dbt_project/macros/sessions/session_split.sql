{#- Deterministic train / validation / test split of listening sessions, the same on every
    engine: the first 8 hex digits of md5(session_id) (dbt.hash) as an integer, modulo 100,
    give a bucket 0–99; buckets 0–79 are `train`, 80–89 `validation`, 90–99 `test`. -#}

{#- Integer value of a text of hexadecimal digits (at most 15, so it fits a bigint). -#}
{% macro hex_to_bigint(expr) -%}
    {{ return(adapter.dispatch('hex_to_bigint')(expr)) }}
{%- endmacro %}

{% macro duckdb__hex_to_bigint(expr) -%}
    cast(concat('0x', {{ expr }}) as bigint)
{%- endmacro %}

{% macro spark__hex_to_bigint(expr) -%}
    cast(conv({{ expr }}, 16, 10) as bigint)
{%- endmacro %}

{#- Any other engine: sum of the digits' values times powers of 16 (digits are lower case,
    as md5 hex is). -#}
{% macro default__hex_to_bigint(expr) -%}
    (
        {%- for i in range(8) %}
        (instr('0123456789abcdef', substr({{ expr }}, {{ i + 1 }}, 1)) - 1)
        * {{ 16 ** (7 - i) }}{{ ' +' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{#- Bucket 0–99 of a session id. -#}
{% macro session_split_bucket(session_id) -%}
    cast({{ hex_to_bigint('substr(' ~ dbt.hash(session_id) ~ ', 1, 8)') }} % 100 as integer)
{%- endmacro %}

{#- `train` (80 %), `validation` (10 %) or `test` (10 %) from a bucket 0–99. -#}
{% macro session_split_name(bucket) -%}
    case
        when {{ bucket }} < 80 then 'train'
        when {{ bucket }} < 90 then 'validation'
        else 'test'
    end
{%- endmacro %}
