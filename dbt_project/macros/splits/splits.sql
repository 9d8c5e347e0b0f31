{#- The one deterministic train / validation / test split of every model (`dim_ml_splits`,
    and `fct_session_skip_labels` for its sessions), the same on every engine: the first 8
    hex digits of md5(key) (dbt.hash) as an integer, modulo 100, give a bucket 0–99;
    buckets 0–79 are `train`, 80–89 `validation`, 90–99 `test`. The key is the id of what a
    model holds out whole: a listening session, a playlist. -#}

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

{#- Bucket 0–99 of a key (a session or playlist id). -#}
{% macro split_bucket(key) -%}
    cast({{ hex_to_bigint('substr(' ~ dbt.hash(key) ~ ', 1, 8)') }} % 100 as integer)
{%- endmacro %}

{#- `train`, `validation` or `test` from a bucket 0–99: the top `ml_split_test_percent`
    buckets (default 10: 90–99) are `test`, the `ml_split_validation_percent` below them
    (default 10: 80–89) `validation`, the rest `train`. -#}
{% macro split_name(bucket) -%}
    {%- set test_percent = number_var('ml_split_test_percent', 1, 50, integer=true) -%}
    {%- set validation_percent = number_var('ml_split_validation_percent', 0, 50, integer=true) -%}
    case
        when {{ bucket }} < {{ 100 - test_percent - validation_percent }} then 'train'
        when {{ bucket }} < {{ 100 - test_percent }} then 'validation'
        else 'test'
    end
{%- endmacro %}
