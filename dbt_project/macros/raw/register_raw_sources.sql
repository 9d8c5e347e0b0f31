{#- on-run-start: register every raw source declared in the `raw` schema as a view over
    its files, read in place. Each source table says in `meta` which loader reads it and
    which files (a glob under the raw dir). A source without files becomes an empty view
    with the declared columns, so staging builds empty tables instead of failing.
    A file that cannot be read as its layout, or is empty (0 bytes), stops the run here
    with one line naming it. -#}

{% macro register_raw_sources() -%}
    {{ return(adapter.dispatch('register_raw_sources')()) }}
{%- endmacro %}

{% macro duckdb__register_raw_sources() -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set statements = ['create schema if not exists raw'] -%}
    {%- for node in graph.sources.values()
        if node.package_name == project_name and node.schema == 'raw' -%}
        {%- set body = raw_source_select(node) -%}
        {% do statements.append(
            'create or replace view raw.' ~ node.identifier ~ ' as\n' ~ body) %}
    {%- endfor -%}
    {{ return(statements | join(';\n') ~ ';') }}
{%- endmacro %}

{% macro raw_source_select(node) -%}
    {%- set loader = node.meta.get('loader') -%}
    {%- set files = raw_files(node.meta.get('files')) -%}
    {%- set columns = node.columns.keys() | list -%}
    {%- if files -%}{{ assert_files_not_empty(files) }}{%- endif -%}
    {%- if files | length == 0 -%}
        {{ return(empty_raw_select(columns, {'tracks': mpd_track_list_type()}
            if loader == 'mpd_json' else {})) }}
    {%- elif loader == 'csv' -%}
        {{ return(csv_raw_select(node, files)) }}
    {%- elif loader == 'mpd_json' -%}
        {{ return(mpd_raw_select(files)) }}
    {%- elif loader == 'lastfm' -%}
        {{ return(lastfm_raw_select(files)) }}
    {%- elif loader == 'spotify_audio_features' -%}
        {{ return(audio_features_raw_select(files)) }}
    {%- elif loader == 'spotify_playlists' -%}
        {{ return(spotify_playlists_raw_select(files)) }}
    {%- elif loader == 'spotify_streaming_history' -%}
        {{ return(spotify_streaming_history_raw_select(files)) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            'source ' ~ node.source_name ~ '.' ~ node.name ~ ': unknown loader ' ~ loader) }}
    {%- endif -%}
{%- endmacro %}

{#- Delimited files with a header: every declared column must be in every file's header
    (in any order; extra columns are ignored). Values stay text; staging types them. -#}
{% macro csv_raw_select(node, files) -%}
    {%- set expected = raw_file_columns(node) -%}
    {%- set layouts = {} -%}
    {%- for f in files -%}
        {{ assert_csv_columns(f, csv_header(f), expected) }}
        {%- for c, layout in csv_time_layouts(node, f, 'read_csv(' ~ sql_string(f)
            ~ ', header = true, all_varchar = true, null_padding = true)', '"').items() -%}
            {%- do layouts.setdefault(c, {}).update({f: layout}) -%}
        {%- endfor -%}
    {%- endfor -%}
    with {{ file_times_cte(files) }},
    rows as (
        select *
        from read_csv(
            {{ sql_string_list(files) }},
            header = true,
            all_varchar = true,
            union_by_name = true,
            null_padding = true,
            filename = true
        )
    )
    select
        {%- for c in expected %}
        rows."{{ c }}" as {{ c }},
        {%- endfor %}
        {%- for c, by_file in layouts.items() %}
        cast({{ layout_by_file(by_file) }} as {{ dbt.type_string() }}) as {{ c }}_layout,
        {%- endfor %}
        rows.filename as source_file,
        file_times.file_modified_at
    from rows
    inner join file_times on rows.filename = file_times.source_file
{%- endmacro %}

{#- The layout of every time column a csv source declares with `meta.time_layout`
    ({layouts: time | date, earliest, window, sample_rows}), decided on one file:
    {column: layout}. -#}
{% macro csv_time_layouts(node, path, relation, quote) -%}
    {%- set found = {} -%}
    {%- for name, col in node.columns.items() if col.meta.get('time_layout') -%}
        {%- set spec = col.meta.time_layout -%}
        {%- set decided = detect_time_layout(path, relation, [quote ~ name ~ quote],
            spec.earliest, date_layouts() if spec.layouts == 'date' else time_layouts(),
            spec.get('window'), spec.get('sample_rows')) -%}
        {%- do found.update({name: decided.layout if decided else none}) -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}
