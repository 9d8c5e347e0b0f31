{#- Helpers the raw loaders share: where the raw files are, which files match a
    pattern, how to quote a path, how to fail with one line that names the file. -#}

{% macro raw_dir() -%}
    {{ return((var('raw_dir', env_var('LW_RAW_DIR', 'data/raw')) | string | trim).rstrip('/')) }}
{%- endmacro %}

{#- A SQL string literal. Paths come from the file system, so quote them properly. -#}
{% macro sql_string(value) -%}
    {{ return("'" ~ (value | string | replace("'", "''")) ~ "'") }}
{%- endmacro %}

{% macro sql_string_list(values) -%}
    {%- set quoted = [] -%}
    {%- for v in values %}{% do quoted.append(sql_string(v)) %}{% endfor -%}
    {{ return('[' ~ quoted | join(', ') ~ ']') }}
{%- endmacro %}

{#- Files under the raw dir matching a glob (relative to the raw dir), sorted. -#}
{% macro raw_files(pattern) -%}
    {{ return(adapter.dispatch('raw_files')(pattern)) }}
{%- endmacro %}

{% macro duckdb__raw_files(pattern) -%}
    {%- set full = raw_dir() ~ '/' ~ pattern -%}
    {%- set result = run_query('select file from glob(' ~ sql_string(full) ~ ') order by file') -%}
    {{ return(result.columns[0].values() | list) }}
{%- endmacro %}

{#- One line that names the file and the problem; stops the run before any model is
    touched, so tables built earlier stay as they were. -#}
{% macro raw_file_error(path, problem) -%}
    {{ exceptions.raise_compiler_error('raw file ' ~ path ~ ': ' ~ problem) }}
{%- endmacro %}

{#- Fail on the first file of zero bytes: a failed download or copy, never a delivery
    (a delivery with no rows still has its header or its JSON document). -#}
{% macro assert_files_not_empty(files) -%}
    {%- set sql = 'select filename from read_blob(' ~ sql_string_list(files)
        ~ ') where size = 0 order by filename limit 1' -%}
    {%- set empty = run_query(sql).rows -%}
    {%- if empty -%}
        {{ raw_file_error(empty[0][0], 'empty file (0 bytes); deliver it again or remove it') }}
    {%- endif -%}
{%- endmacro %}

{#- The header of a delimited file: its delimiter and column names (BOM and case removed). -#}
{% macro csv_header(path) -%}
    {{ return(adapter.dispatch('csv_header')(path)) }}
{%- endmacro %}

{% macro duckdb__csv_header(path) -%}
    {%- set sql -%}
        select
            sniffed.delimiter,
            lower(trim(sniffed.col.name)) as column_name
        from (
            select
                Delimiter as delimiter,
                unnest(Columns) as col
            from sniff_csv(
                {{ sql_string(path) }}, header = true, all_varchar = true, null_padding = true
            )
        ) as sniffed
    {%- endset -%}
    {%- set rows = run_query(sql).rows -%}
    {%- set names = [] -%}
    {%- for r in rows %}{% do names.append(r[1]) %}{% endfor -%}
    {{ return({'delimiter': rows[0][0] if rows else ',', 'columns': names}) }}
{%- endmacro %}

{#- Fail unless every expected column is in the file's header. Extra columns are ignored. -#}
{% macro assert_csv_columns(path, header, expected) -%}
    {%- set missing = [] -%}
    {%- for c in expected if c not in header.columns %}{% do missing.append(c) %}{% endfor -%}
    {%- if missing -%}
        {{ raw_file_error(path, 'missing column(s) ' ~ missing | join(', ')
            ~ ' (header has: ' ~ header.columns | join(', ') ~ ')') }}
    {%- endif -%}
{%- endmacro %}

{#- A view with the given columns and no rows, for a source whose files are absent. Every
    column is typed as the loader types it when there are files (text, the columns of
    `loader_column_types`, or as `types` says), so an empty source never changes the column
    types of the incremental tables built on it: files that arrive later append to them. -#}
{% macro empty_raw_select(columns, types={}) -%}
    {%- set typed = loader_column_types() -%}
    {%- do typed.update(types) -%}
    select
    {%- for c in columns %}
        cast(null as {{ typed.get(c, dbt.type_string()) }}) as {{ c }}{{ "," if not loop.last }}
    {%- endfor %}
    where 1 = 0
{%- endmacro %}

{#- The types of the columns every loader adds that are not text (both engines). -#}
{% macro loader_column_types() -%}
    {{ return({'file_modified_at': dbt.type_timestamp()}) }}
{%- endmacro %}

{#- The columns a raw source declares that come from the files (not added by the loader). -#}
{% macro raw_file_columns(node) -%}
    {%- set cols = [] -%}
    {%- for name, col in node.columns.items() if not col.meta.get('loader_added') -%}
        {% do cols.append(name) %}
    {%- endfor -%}
    {{ return(cols) }}
{%- endmacro %}

{#- Per-file modification time, joined on as `file_modified_at` (the source's loaded_at). -#}
{% macro file_times_cte(files) -%}
    file_times as (
        select
            filename as source_file,
            cast(last_modified as timestamp) as file_modified_at
        from read_blob({{ sql_string_list(files) }})
    )
{%- endmacro %}

{#- The files whose name matches a regular expression (case-insensitive). -#}
{% macro files_matching(files, pattern) -%}
    {%- set matched = [] -%}
    {%- for f in files if modules.re.search(pattern, f, modules.re.IGNORECASE) -%}
        {% do matched.append(f) %}
    {%- endfor -%}
    {{ return(matched) }}
{%- endmacro %}
