{#- Seeds on Spark: dbt-spark's session cursor pastes bound values into the SQL unescaped,
    so a text with an apostrophe (`Spotify's editors`) breaks the insert. Write the values
    as literals instead: `'…'`, or `"…"` when the text holds an apostrophe. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                    {%- set type = column_override.get(col_name, inferred_type) -%}
                    cast({{ spark_seed_literal(row[loop.index0]) }} as {{ type }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor -%}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- do statements.append(sql) -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}

{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}null
    {%- else -%}
        {%- set text = value | string -%}
        {%- if "'" not in text -%}'{{ text }}'
        {%- elif '"' not in text -%}"{{ text }}"
        {%- else -%}{{ exceptions.raise_compiler_error('seed value with both quote kinds: ' ~ text) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
