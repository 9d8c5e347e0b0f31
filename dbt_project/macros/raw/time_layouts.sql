{#- Time columns in the layouts real exports use, decided once per file and column (never
    per row). The loader samples a file's candidate time columns, counts for each layout
    how many values parse to a plausible time, keeps the best (column, layout), prints the
    choice in the build log, and stops the build with one line when nearly nothing parses.
    Staging then parses every value of the file with that one layout
    (`parse_time_by_layout`). -#}

{#- Layouts in order of preference when two parse equally many values: unix time before
    text (no zone to guess), ISO before local layouts, day-first before month-first (a file
    whose days never pass 12 cannot tell; most of the world writes the day first, and the
    log says the choice was a tie). A layout's `formats` are keys of timestamp_formats(). -#}
{% macro time_layouts() -%}
    {{ return([
        {'name': 'epoch_s', 'label': 'unix seconds'},
        {'name': 'epoch_ms', 'label': 'unix milliseconds'},
        {'name': 'iso_zoned', 'label': 'ISO 8601 with a zone (Z or an offset)',
            'formats': ['iso_z', 'iso_frac_z', 'iso_offset']},
        {'name': 'iso_t', 'label': 'ISO 8601 without a zone (UTC)', 'formats': ['iso_t']},
        {'name': 'iso', 'label': 'YYYY-MM-DD HH:MM:SS', 'formats': ['iso', 'iso_frac']},
        {'name': 'iso_minute', 'label': 'YYYY-MM-DD HH:MM', 'formats': ['iso_minute']},
        {'name': 'lastfm_comma', 'label': 'DD Mon YYYY, HH:MM', 'formats': ['lastfm_comma']},
        {'name': 'lastfm_plain', 'label': 'DD Mon YYYY HH:MM', 'formats': ['lastfm_plain']},
        {'name': 'dmy', 'label': 'DD/MM/YYYY HH:MM[:SS] (day first)',
            'formats': ['dmy_hms', 'dmy_hm']},
        {'name': 'mdy', 'label': 'MM/DD/YYYY HH:MM[:SS] (month first)',
            'formats': ['mdy_hms', 'mdy_hm']},
        {'name': 'dmy2', 'label': 'DD/MM/YY HH:MM (day first, two-digit year)',
            'formats': ['dmy2_hm']},
        {'name': 'mdy2', 'label': 'MM/DD/YY HH:MM (month first, two-digit year)',
            'formats': ['mdy2_hm']},
        {'name': 'dmy_dot', 'label': 'DD.MM.YYYY HH:MM[:SS]',
            'formats': ['dmy_dot_hms', 'dmy_dot_hm']},
    ]) }}
{%- endmacro %}

{#- Date-only layouts (session logs' `date`), in the same order of preference. -#}
{% macro date_layouts() -%}
    {{ return([
        {'name': 'date_iso', 'label': 'YYYY-MM-DD', 'formats': ['date']},
        {'name': 'date_dmy', 'label': 'DD/MM/YYYY (day first)', 'formats': ['date_dmy']},
        {'name': 'date_mdy', 'label': 'MM/DD/YYYY (month first)', 'formats': ['date_mdy']},
        {'name': 'date_dmy2', 'label': 'DD/MM/YY (day first, two-digit year)',
            'formats': ['date_dmy2']},
        {'name': 'date_mdy2', 'label': 'MM/DD/YY (month first, two-digit year)',
            'formats': ['date_mdy2']},
        {'name': 'date_dot', 'label': 'DD.MM.YYYY', 'formats': ['date_dot']},
        {'name': 'date_ymd_slash', 'label': 'YYYY/MM/DD', 'formats': ['date_ymd_slash']},
    ]) }}
{%- endmacro %}

{#- How many rows of a file the detection reads: enough to meet days past 12 and the odd
    empty value, few enough that a rebuild does not rescan large exports. -#}
{% macro time_layout_sample_rows() -%}
    {{ return(20000) }}
{%- endmacro %}

{#- One value as a timestamp under one layout (its formats tried in order); NULL when it
    does not fit. -#}
{% macro time_value(expr, layout) -%}
    {%- if layout.name == 'epoch_s' -%}
        {{ epoch_seconds_to_timestamp(nullif_blank(expr)) }}
    {%- elif layout.name == 'epoch_ms' -%}
        {{ epoch_seconds_to_timestamp(try_cast(nullif_blank(expr), 'double') ~ ' / 1000') }}
    {%- else -%}
        {{ parse_timestamp(expr, layout.formats) }}
    {%- endif -%}
{%- endmacro %}

{#- Staging: every value parsed with its file's layout (`layout_expr`, a column); rows of a
    file without a decided layout try `fallback` formats in order. -#}
{% macro parse_time_by_layout(expr, layout_expr, fallback) -%}
    case {{ layout_expr }}
        {%- for l in time_layouts() + date_layouts() %}
        when '{{ l.name }}' then {{ time_value(expr, l) }}
        {%- endfor %}
        else {{ parse_timestamp(expr, fallback) }}
    end
{%- endmacro %}

{#- Decide the time column and layout of one file. `relation` is SQL to select from (a
    table function or view over the file, text columns); `columns` the candidate columns
    (quoted identifiers as the relation names them), best first on ties. A value counts
    when it parses to a time in [`earliest`, tomorrow]; where the dataset documents the span
    it was recorded in (`window`: [from, to)), a layout putting more values inside it wins
    a tie (`05/08/2018` in a session log of the summer of 2018 is the 5th of August).
    `sample_rows` bounds the rows read (default time_layout_sample_rows()).
    Returns {column, layout, label, n_values, n_parsed, tie}, or none when the sample holds
    no value at all (an empty delivery). Fewer than half the values parsing stops the build:
    one line naming the file, the column and a sample value. -#}
{% macro detect_time_layout(path, relation, columns, earliest, layouts=none, window=none,
    sample_rows=none) -%}
    {%- set layouts = layouts or time_layouts() -%}
    {%- set window = window or [earliest, '9999-01-01'] -%}
    {%- set plausible -%}
        between timestamp '{{ earliest }}' and {{ dbt.dateadd('day', 1, dbt.current_timestamp()) }}
    {%- endset -%}
    {%- set sql -%}
        select
            {%- for c in columns %}
            {%- set i = loop.index0 %}
            count({{ nullif_blank(c) }}) as n_{{ i }},
            max({{ nullif_blank(c) }}) as sample_{{ i }},
            {%- for l in layouts %}
            count_if({{ time_value(c, l) }} {{ plausible }}) as p_{{ i }}_{{ loop.index0 }},
            count_if({{ time_value(c, l) }} >= timestamp '{{ window[0] }}'
                and {{ time_value(c, l) }} < timestamp '{{ window[1] }}') as w_{{ i }}_{{ loop.index0 }}
            {{- "," if not (loop.last and i == columns | length - 1) }}
            {%- endfor %}
            {%- endfor %}
        from (
            select * from {{ relation }} limit {{ sample_rows or time_layout_sample_rows() }}
        ) as sampled
    {%- endset -%}
    {%- set row = run_query(sql).rows[0] -%}
    {%- set width = 2 * layouts | length + 2 -%}
    {%- set best = {'n_parsed': -1, 'n_window': -1} -%}
    {%- set n_values = [] -%}
    {%- for c in columns -%}
        {%- set i = loop.index0 -%}
        {%- set n = row[i * width] | int -%}
        {%- do n_values.append(n) -%}
        {%- for l in layouts -%}
            {%- set p = row[i * width + 2 + 2 * loop.index0] | int -%}
            {%- set w = row[i * width + 3 + 2 * loop.index0] | int -%}
            {%- if p > best.n_parsed or (p == best.n_parsed and w > best.n_window) -%}
                {%- do best.update({'column': c, 'layout': l.name, 'label': l.label,
                    'n_values': n, 'n_parsed': p, 'n_window': w, 'tie': false}) -%}
            {%- elif p == best.n_parsed and w == best.n_window and p > 0 and c == best.column -%}
                {%- do best.update({'tie': true, 'tie_label': l.label}) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if n_values | max == 0 -%}{{ return(none) }}{%- endif -%}
    {%- if best.n_parsed * 2 < best.n_values or best.n_parsed == 0 -%}
        {%- set first = n_values.index(n_values | max) -%}
        {{ raw_file_error(path, 'time column ' ~ columns[first] ~ ' is in no layout we read ('
            ~ best.n_parsed ~ ' of ' ~ n_values[first] ~ ' sampled values parse), e.g. '
            ~ sql_string(row[first * width + 1])
            ~ '; layouts read: ' ~ layouts | map(attribute='label') | join(', ')) }}
    {%- endif -%}
    {%- do log('raw file ' ~ path ~ ': time column ' ~ best.column ~ ' read as ' ~ best.label
        ~ ' (' ~ best.n_parsed ~ ' of ' ~ best.n_values ~ ' sampled values'
        ~ ('; ' ~ best.tie_label ~ ' fits as many, the first is taken' if best.tie else '')
        ~ ')', info=true) -%}
    {{ return(best) }}
{%- endmacro %}
