{#- The rejected rows of some staging base models, in one layout:
    (source_name, entity, source_file, reject_reason, raw_record). -#}
{% macro rejected_rows_of(source_name, base_models) -%}
    {%- for m in base_models %}
    select
        '{{ source_name }}' as source_name,
        '{{ m.split("__")[-1] }}' as entity,
        source_file,
        reject_reason,
        raw_record
    from {{ ref(m) }}
    where reject_reason is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
