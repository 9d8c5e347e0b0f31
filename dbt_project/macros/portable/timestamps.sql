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
        'iso_frac_z': {'duckdb': '%Y-%m-%dT%H:%M:%S.%fZ', 'spark': "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"},
        'iso_offset': {'duckdb': '%Y-%m-%dT%H:%M:%S%z', 'spark': "yyyy-MM-dd'T'HH:mm:ssXXX"},
        'iso_frac': {'duckdb': '%Y-%m-%d %H:%M:%S.%f', 'spark': 'yyyy-MM-dd HH:mm:ss.SSSSSS'},
        'dmy_hms': {'duckdb': '%d/%m/%Y %H:%M:%S', 'spark': 'd/M/yyyy H:mm:ss'},
        'dmy_hm': {'duckdb': '%d/%m/%Y %H:%M', 'spark': 'd/M/yyyy H:mm'},
        'mdy_hms': {'duckdb': '%m/%d/%Y %H:%M:%S', 'spark': 'M/d/yyyy H:mm:ss'},
        'mdy_hm': {'duckdb': '%m/%d/%Y %H:%M', 'spark': 'M/d/yyyy H:mm'},
        'dmy2_hm': {'duckdb': '%d/%m/%y %H:%M', 'spark': 'd/M/yy H:mm'},
        'mdy2_hm': {'duckdb': '%m/%d/%y %H:%M', 'spark': 'M/d/yy H:mm'},
        'dmy_dot_hm': {'duckdb': '%d.%m.%Y %H:%M', 'spark': 'd.M.yyyy H:mm'},
        'dmy_dot_hms': {'duckdb': '%d.%m.%Y %H:%M:%S', 'spark': 'd.M.yyyy H:mm:ss'},
        'date_dmy': {'duckdb': '%d/%m/%Y', 'spark': 'd/M/yyyy'},
        'date_mdy': {'duckdb': '%m/%d/%Y', 'spark': 'M/d/yyyy'},
        'date_dmy2': {'duckdb': '%d/%m/%y', 'spark': 'd/M/yy'},
        'date_mdy2': {'duckdb': '%m/%d/%y', 'spark': 'M/d/yy'},
        'date_dot': {'duckdb': '%d.%m.%Y', 'spark': 'd.M.yyyy'},
        'date_ymd_slash': {'duckdb': '%Y/%m/%d', 'spark': 'yyyy/M/d'},
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
