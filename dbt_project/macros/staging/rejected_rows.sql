{#- The rejected rows of some staging base models, in one layout:
    (rejected_row_id, source_name, entity, source_file, reject_reason, raw_record).
    Identical raw rows (a row repeated three times gives two duplicates) are told apart
    by their occurrence in the key. -#}
{% macro rejected_rows_of(source_name, base_models) -%}
    select
        {{ dbt.hash(dbt.concat(['source_name', "'|'", 'entity', "'|'", 'source_file', "'|'",
            'reject_reason', "'|'", "coalesce(raw_record, '')", "'|'",
            'cast(occurrence as ' ~ dbt.type_string() ~ ')'])) }} as rejected_row_id,
        source_name,
        entity,
        source_file,
        reject_reason,
        raw_record
    from (
        select
            *,
            row_number() over (
                partition by entity, source_file, reject_reason, raw_record
                order by entity
            ) as occurrence
        from (
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
        ) as rejected
    ) as numbered
{%- endmacro %}
