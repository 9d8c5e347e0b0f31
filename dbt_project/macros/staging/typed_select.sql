{#- Staging's typing step, shared by every base model.

    `spec` lists the output columns: {name, raw, type, required, min, max, accepted,
    formats}. type is one of text | integer | number | boolean | date | timestamp |
    epoch (seconds) | sql (then `expr` is the SQL). Each value is typed with a cast that
    yields NULL on bad input, and the row gets the first reason that makes it unusable:
      missing <col>        a required value is empty;
      unparseable <col>    a value is present but is not of its type;
      <col> out of range   a value lies outside [min, max] or the accepted list.
    Rows that pass every check but repeat an earlier row's key are `duplicate`.
    The raw values of rejected rows are kept as one JSON text, `raw_record`. -#}

{% macro typed_expr(col) -%}
    {%- set raw = col.raw -%}
    {%- if col.type == 'text' -%}{{ nullif_blank(raw) }}
    {%- elif col.type == 'integer' -%}{{ try_integer(raw) }}
    {%- elif col.type == 'number' -%}{{ try_number(raw) }}
    {%- elif col.type == 'boolean' -%}{{ try_boolean(raw) }}
    {%- elif col.type == 'date' -%}{{ try_cast(nullif_blank(raw), 'date') }}
    {%- elif col.type == 'timestamp' -%}{{ parse_timestamp(raw, col.formats) }}
    {%- elif col.type == 'epoch' -%}{{ epoch_seconds_to_timestamp(nullif_blank(raw)) }}
    {%- elif col.type == 'sql' -%}{{ col.expr }}
    {%- else -%}{{ exceptions.raise_compiler_error('typed_select: unknown type ' ~ col.type) }}
    {%- endif -%}
{%- endmacro %}

{% macro typed_select(relation, spec, passthrough=['source_file'], checks=[]) -%}
    {%- set raws = [] -%}
    {%- for col in spec if col.raw and col.raw not in raws %}{% do raws.append(col.raw) %}{% endfor -%}
    select
        typed.*,
        case
            {%- for check in checks %}
            when {{ check.when }} then '{{ check.reason }}'
            {%- endfor %}
            {%- for col in spec if col.required %}
            when typed.{{ col.name }} is null and {{ nullif_blank('typed.raw__' ~ col.raw) if col.raw else 'true' }} is null
                then 'missing {{ col.name }}'
            {%- endfor %}
            {%- for col in spec if col.raw and col.type != 'text' %}
            when typed.{{ col.name }} is null and {{ nullif_blank('typed.raw__' ~ col.raw) }} is not null
                then 'unparseable {{ col.name }}'
            {%- endfor %}
            {%- for col in spec if col.min is defined or col.max is defined or col.accepted is defined %}
            when
                {%- if col.accepted is defined %}
                typed.{{ col.name }} not in ({% for v in col.accepted %}'{{ v }}'{{ ", " if not loop.last }}{% endfor %})
                {%- else %}
                {%- if col.min is defined %} typed.{{ col.name }} < {{ col.min }}{% endif %}
                {%- if col.min is defined and col.max is defined %} or{% endif %}
                {%- if col.max is defined %} typed.{{ col.name }} > {{ col.max }}{% endif %}
                {%- endif %}
                then '{{ col.name }} out of range'
            {%- endfor %}
        end as row_reason
    from (
        select
            {%- for col in spec %}
            {{ typed_expr(col) }} as {{ col.name }},
            {%- endfor %}
            {%- for r in raws %}
            {{ relation }}.{{ r }} as raw__{{ r }},
            {%- endfor %}
            {%- for p in passthrough %}
            {{ relation }}.{{ p }}{{ "," if not loop.last }}
            {%- endfor %}
        from {{ relation }}
    ) as typed
{%- endmacro %}

{#- The whole staging step of a base model: typed columns, the reject reason (including
    duplicates of `key_columns`, the first by `order_by` wins), the source file and, for
    rejected rows only, the raw record. `checks` are extra {when, reason} rules over the
    typed columns (`typed.<col>`), tried before the generic ones; `passthrough` columns are
    carried as they are. -#}
{% macro stage_with_rejects(
    relation, spec, key_columns, order_by='source_file', passthrough=['source_file'], checks=[],
    loaded=none
) -%}
    {%- set raws = [] -%}
    {%- for col in spec if col.raw and col.raw not in raws %}{% do raws.append(col.raw) %}{% endfor -%}
    select
        {%- for col in spec %}
        checked.{{ col.name }},
        {%- endfor %}
        {%- for p in passthrough %}
        checked.{{ p }},
        {%- endfor %}
        checked.reject_reason,
        case
            when checked.reject_reason is not null
                then {{ json_record('checked', raws, 'raw__') }}
        end as raw_record
    from (
        select
            typed.*,
            {{ mark_duplicates(key_columns, order_by, loaded, 'typed.') }} as reject_reason
        from ({{ typed_select(relation, spec, passthrough, checks) }}) as typed
        {%- if loaded is not none %}
        left join (
            select distinct
                {%- for k in key_columns %}
                {{ k }} as loaded__{{ k }},
                {%- endfor %}
                true as is_loaded
            from {{ loaded }}
            where reject_reason is null
        ) as loaded_keys
            on
            {%- for k in key_columns %}
            {{ "and " if not loop.first }}typed.{{ k }} = loaded_keys.loaded__{{ k }}
            {%- endfor %}
        {%- endif %}
    ) as checked
{%- endmacro %}

{#- The raw values of a row as one JSON object text, for the rejects table. -#}
{% macro json_record(relation, columns, prefix='') -%}
    {{ return(adapter.dispatch('json_record')(relation, columns, prefix)) }}
{%- endmacro %}

{% macro duckdb__json_record(relation, columns, prefix) -%}
    cast(to_json(struct_pack(
        {%- for c in columns %}
        "{{ c }}" := {{ relation }}.{{ prefix }}{{ c }}{{ "," if not loop.last }}
        {%- endfor %}
    )) as varchar)
{%- endmacro %}

{% macro spark__json_record(relation, columns, prefix) -%}
    to_json(named_struct(
        {%- for c in columns %}
        '{{ c }}', {{ relation }}.{{ prefix }}{{ c }}{{ "," if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}

{#- Mark all but the first row of each key as a duplicate (rows already rejected keep
    their `row_reason`). `order_by` decides which copy wins. With `loaded` (the model
    itself, on an incremental build), a row whose key is already staged there is a
    duplicate too (`loaded_keys`, joined by stage_with_rejects: a correlated `exists` in a
    select list is not supported on Spark). -#}
{% macro mark_duplicates(key_columns, order_by='source_file', loaded=none, prefix='') -%}
    case
        when {{ prefix }}row_reason is not null then {{ prefix }}row_reason
        {%- if loaded is not none %}
        when loaded_keys.is_loaded then 'duplicate'
        {%- endif %}
        when row_number() over (
            partition by row_reason is null, {{ key_columns | join(', ') }}
            order by {{ order_by }}
        ) > 1 then 'duplicate'
    end
{%- endmacro %}

{#- Playlist keys are strings; MPD playlists are `mpd:<pid>`, the user's own `user:<slug>`. -#}
{% macro mpd_playlist_id(pid_expr) -%}
    concat('mpd:', cast({{ pid_expr }} as {{ dbt.type_string() }}))
{%- endmacro %}
