{#- on-run-start: create the `ml` tables the Python models write, empty and typed from
    their source declarations, where they do not exist yet — so `dbt build` works on a
    fresh warehouse before any model was trained. Existing tables are left untouched. -#}
{% macro ensure_ml_tables() -%}
    {{ return(adapter.dispatch('ensure_ml_tables')()) }}
{%- endmacro %}

{% macro default__ensure_ml_tables() -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set statements = ['create schema if not exists ml'] -%}
    {%- for ddl in ml_table_ddls() -%}
        {% do statements.append(ddl) %}
    {%- endfor -%}
    {{ return(statements | join(';\n') ~ ';') }}
{%- endmacro %}

{#- Spark: one statement per call, Parquet tables (no Python write-back there yet). -#}
{% macro spark__ensure_ml_tables() -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- do run_query('create database if not exists ml') -%}
    {%- for ddl in ml_table_ddls() -%}
        {% do run_query(ddl ~ ' using parquet') %}
    {%- endfor -%}
    {{ return('select 1') }}
{%- endmacro %}

{#- `create table if not exists ml.<t> (<col> <type>, …)` for every `ml` source table, typed
    from its declaration: the part both engines share. -#}
{% macro ml_table_ddls() -%}
    {%- set ddls = [] -%}
    {%- for node in graph.sources.values()
        if node.package_name == project_name and node.source_name == 'ml' -%}
        {%- set cols = [] -%}
        {%- for name, col in node.columns.items() -%}
            {% do cols.append(name ~ ' ' ~ col.data_type) %}
        {%- endfor -%}
        {% do ddls.append('create table if not exists ml.' ~ node.identifier
            ~ ' (' ~ cols | join(', ') ~ ')') %}
    {%- endfor -%}
    {{ return(ddls) }}
{%- endmacro %}
