{#- Timestamps are stored as naive `timestamp` in UTC. -#}

{#- Seconds since the epoch (number or text) to a UTC timestamp; NULL when it is not a
    number or too large (`1e20`, `nan`), so the row is rejected rather than the build. -#}
{% macro epoch_seconds_to_timestamp(expr) -%}
    {{ return(adapter.dispatch('epoch_seconds_to_timestamp')(expr)) }}
{%- endmacro %}

{% macro duckdb__epoch_seconds_to_timestamp(expr) -%}
    make_timestamp({{ try_cast(try_cast(expr, 'double') ~ ' * 1000000', 'bigint') }})
{%- endmacro %}

{% macro spark__epoch_seconds_to_timestamp(expr) -%}
    to_utc_timestamp(timestamp_seconds({{ try_cast(expr, 'bigint') }}), current_timezone())
{%- endmacro %}

{#- Parse text with the first matching of several named formats; NULL when none matches.
    Format names are ours so that each engine can spell its own pattern. -#}
{% macro timestamp_formats() -%}
    {{ return({
        'iso_z': {'duckdb': '%Y-%m-%dT%H:%M:%SZ', 'spark': "yyyy-MM-dd'T'HH:mm:ss'Z'"},
        'iso': {'duckdb': '%Y-%m-%d %H:%M:%S', 'spark': 'yyyy-MM-dd HH:mm:ss'},
        'iso_t': {'duckdb': '%Y-%m-%dT%H:%M:%S', 'spark': "yyyy-MM-dd'T'HH:mm:ss"},
        'iso_minute': {'duckdb': '%Y-%m-%d %H:%M', 'spark': 'yyyy-MM-dd HH:mm'},
        'lastfm_comma': {'duckdb': '%d %b %Y, %H:%M', 'spark': 'd MMM yyyy, HH:mm'},
        'lastfm_plain': {'duckdb': '%d %b %Y %H:%M', 'spark': 'd MMM yyyy HH:mm'},
        'date': {'duckdb': '%Y-%m-%d', 'spark': 'yyyy-MM-dd'},
    }) }}
{%- endmacro %}

{% macro parse_timestamp(expr, format_names) -%}
    {{ return(adapter.dispatch('parse_timestamp')(expr, format_names)) }}
{%- endmacro %}

{% macro duckdb__parse_timestamp(expr, format_names) -%}
    {%- set formats = timestamp_formats() -%}
    coalesce(
        {%- for name in format_names %}
        cast(try_strptime(trim({{ expr }}), '{{ formats[name]["duckdb"] }}') as timestamp)
        {{- "," if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{% macro spark__parse_timestamp(expr, format_names) -%}
    {%- set formats = timestamp_formats() -%}
    coalesce(
        {%- for name in format_names %}
        try_to_timestamp(trim({{ expr }}), "{{ formats[name]['spark'] }}")
        {{- "," if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{#- A timestamp minus a number of milliseconds (to the millisecond on both engines;
    dbt-spark's dateadd has no millisecond part). -#}
{% macro minus_milliseconds(timestamp_expr, ms_expr) -%}
    {{ return(adapter.dispatch('minus_milliseconds')(timestamp_expr, ms_expr)) }}
{%- endmacro %}

{% macro default__minus_milliseconds(timestamp_expr, ms_expr) -%}
    {{ dbt.dateadd('millisecond', '-1 * (' ~ ms_expr ~ ')', timestamp_expr) }}
{%- endmacro %}

{% macro spark__minus_milliseconds(timestamp_expr, ms_expr) -%}
    timestamp_millis(unix_millis({{ timestamp_expr }}) - {{ ms_expr }})
{%- endmacro %}
