{#- Incremental loading by file. A base model over an append-shaped source (scrobble
    exports, session logs) is `incremental`: each build reads only the files it has not
    loaded yet, or whose modification time changed since, and appends their rows. A row
    whose key was already loaded (a re-delivered file, two exports that overlap in time)
    is kept as a `duplicate` reject, never a second staged row, so a full refresh
    (`--full-refresh`) gives the same rows. Files removed from the raw dir stay loaded:
    nothing already loaded is lost. -#}

{#- The files of a raw source already loaded into this model, unchanged since: the files a
    build may skip. Empty on a full build. The file list and times come from the file
    system and from this model, so the filter is a constant list that DuckDB uses to skip
    those files without opening them. -#}
{% macro unchanged_loaded_files(source_name, table_name) -%}
    {%- if not execute or not is_incremental() -%}{{ return([]) }}{%- endif -%}
    {%- set node = graph.sources.values()
        | selectattr('source_name', 'equalto', source_name)
        | selectattr('name', 'equalto', table_name)
        | first -%}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name')
        | map('lower') | list -%}
    {%- if 'file_modified_at' not in columns -%}
        {{ exceptions.raise_compiler_error(
            this ~ ' was built by an older version of this project (before it loaded by file): '
            ~ 'rebuild it once with `.venv/bin/python -m models_py build --full-refresh`') }}
    {%- endif -%}
    {%- set files = raw_files(node.meta.get('files')) -%}
    {%- if files | length == 0 -%}{{ return([]) }}{%- endif -%}
    {%- set loaded_sql -%}
        select
            source_file,
            cast(max(file_modified_at) as {{ dbt.type_string() }}) as file_modified_at
        from {{ this }}
        group by source_file
    {%- endset -%}
    {%- set loaded = {} -%}
    {%- for row in run_query(loaded_sql).rows -%}
        {%- do loaded.update({row[0]: row[1]}) -%}
    {%- endfor -%}
    {%- set current = current_file_times(node.meta.get('files'), files) -%}
    {%- set unchanged = [] -%}
    {%- for path in files if loaded.get(path) == current.get(path) -%}
        {%- do unchanged.append(path) -%}
    {%- endfor -%}
    {{ return(unchanged) }}
{%- endmacro %}

{#- {file: modification time as text} of the raw files, as the loaders record it. -#}
{% macro current_file_times(pattern, files) -%}
    {{ return(adapter.dispatch('current_file_times')(pattern, files)) }}
{%- endmacro %}

{% macro duckdb__current_file_times(pattern, files) -%}
    {%- set current_sql -%}
        select
            filename,
            cast(cast(last_modified as timestamp) as {{ dbt.type_string() }}) as file_modified_at
        from read_blob({{ sql_string_list(files) }})
    {%- endset -%}
    {%- set current = {} -%}
    {%- for row in run_query(current_sql).rows -%}
        {%- do current.update({row[0]: row[1]}) -%}
    {%- endfor -%}
    {{ return(current) }}
{%- endmacro %}

{% macro spark__current_file_times(pattern, files) -%}
    {%- set current = {} -%}
    {%- for path, info in spark_raw_listing(pattern).items() -%}
        {%- do current.update({path: info.modified_at}) -%}
    {%- endfor -%}
    {{ return(current) }}
{%- endmacro %}

{#- `where` clause keeping only the rows of files not in `files`. -#}
{% macro skip_files(files, column='source_file') -%}
    {%- if files | length > 0 -%}
        where {{ column }} not in (
            {%- for f in files %}{{ sql_string(f) }}{{ ", " if not loop.last }}{% endfor -%}
        )
    {%- endif -%}
{%- endmacro %}
