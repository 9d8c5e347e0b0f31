{#- The model's `not_null` and `in_range` column tests of severity error, in one scan.

    The column tests stay declared on their columns (the docs show them there), but a
    default build does not run them one query each: `selectors.yml` leaves them out and
    this model-level test runs all of them in one query over the model. It reads them from
    the graph (same test, column, bounds and `where` config), so there is one declaration
    of each check. It returns one row per failing check (`test_name`, `column_name`,
    `n_failing`); `models_py.dbt_failures` turns those rows into one line each. Why: a
    test is one dbt node, and dbt's cost per node (~70 ms here), not the query, was about
    40 % of a build (README, "Tests").

    Warn-severity column tests still run on their own, so their warnings stay warnings.
    A bound written as `{{ var('name') }}` is read with `var()`; other bounds are SQL. -#}
{% test column_checks(model) -%}
    {{ return(adapter.dispatch('test_column_checks')(model)) }}
{%- endtest %}

{% macro column_checks_of(model_name) -%}
    {%- set checks = [] -%}
    {%- if execute -%}
        {%- set parents = ['model.' ~ project_name ~ '.' ~ model_name,
                           'seed.' ~ project_name ~ '.' ~ model_name] -%}
        {%- for node in graph.nodes.values() -%}
            {%- set meta = node.get('test_metadata') or {} -%}
            {%- if node.resource_type == 'test' and node.get('attached_node') in parents
                and meta.get('name') in ('not_null', 'in_range')
                and (node.config.severity | lower) == 'error' -%}
                {%- do checks.append({
                    'test_name': meta.name,
                    'column_name': node.column_name,
                    'min_value': column_check_bound(meta.kwargs.get('min_value')),
                    'max_value': column_check_bound(meta.kwargs.get('max_value')),
                    'where': node.config.get('where'),
                }) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(checks | sort(attribute='column_name') | sort(attribute='test_name')) }}
{%- endmacro %}

{% macro column_check_bound(value) -%}
    {%- if value is string and value.strip().startswith("{{ var(") -%}
        {{ return(var(value.split("'")[1])) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{% macro column_check_failing(check) -%}
    {%- set col = check.column_name -%}
    {%- if check.test_name == 'not_null' -%}
        {%- set failing = col ~ ' is null' -%}
    {%- else -%}
        {%- set outside = [] -%}
        {%- if check.min_value is not none %}{% do outside.append(col ~ ' < ' ~ check.min_value) %}{% endif -%}
        {%- if check.max_value is not none %}{% do outside.append(col ~ ' > ' ~ check.max_value) %}{% endif -%}
        {%- set failing = col ~ ' is not null and (' ~ (outside | join(' or ') or 'false') ~ ')' -%}
    {%- endif -%}
    {%- if check.where -%}
        {%- set failing = '(' ~ check.where ~ ') and ' ~ failing -%}
    {%- endif -%}
    {{ return(failing) }}
{%- endmacro %}

{% macro default__test_column_checks(model) -%}
    {%- set checks = column_checks_of(model.identifier) -%}
    {%- if checks -%}
        with counted as (
            select
                {%- for check in checks %}
                sum(case when {{ column_check_failing(check) }} then 1 else 0 end)
                    as n_{{ loop.index }}{{ ',' if not loop.last }}
                {%- endfor %}
            from {{ model }}
        ),

        checks as (
            {%- for check in checks %}
            select
                '{{ check.test_name }}' as test_name,
                '{{ check.column_name }}' as column_name,
                n_{{ loop.index }} as n_failing
            from counted
            {{ 'union all' if not loop.last }}
            {%- endfor %}
        )

        select test_name, column_name, n_failing
        from checks
        where n_failing > 0
    {%- else -%}
        select
            cast(null as {{ dbt.type_string() }}) as test_name,
            cast(null as {{ dbt.type_string() }}) as column_name,
            cast(0 as {{ dbt.type_bigint() }}) as n_failing
        where 1 = 0
    {%- endif %}
{%- endmacro %}
