"""The project compiles beside the packages analytics engineers add: no macro of ours may
take a name dbt_utils uses, because a root-project macro wins dbt's dispatch and dbt_utils'
own tests would then call ours with their arguments (`macro 'dbt_macro__default__test_
accepted_range' takes not more than 4 argument(s)` when our test was called accepted_range).

dbt_utils itself cannot be installed here (no network at run time; it is not on PyPI), so
this checks our macro names against the names dbt_utils 1.4 defines, listed below from its
documentation: its generic tests (also as ``test_<name>`` and the dispatched
``default__test_<name>``) and its SQL and Jinja macros (also as ``default__<name>``).
"""

from __future__ import annotations

import re

from support import REPO

DBT_UTILS_TESTS = {
    "accepted_range",
    "at_least_one",
    "cardinality_equality",
    "equal_rowcount",
    "equality",
    "expression_is_true",
    "fewer_rows_than",
    "mutually_exclusive_ranges",
    "not_accepted_values",
    "not_constant",
    "not_empty_string",
    "not_null_proportion",
    "recency",
    "relationships_where",
    "sequential_values",
    "unique_combination_of_columns",
}
DBT_UTILS_MACROS = {
    "date_spine",
    "deduplicate",
    "generate_series",
    "generate_surrogate_key",
    "get_column_values",
    "get_filtered_columns_in_relation",
    "get_intervals_between",
    "get_powers_of_two",
    "get_query_results_as_dict",
    "get_relations_by_pattern",
    "get_relations_by_prefix",
    "get_single_value",
    "get_tables_by_pattern_sql",
    "get_tables_by_prefix_sql",
    "get_url_host",
    "get_url_parameter",
    "get_url_path",
    "group_by",
    "haversine_distance",
    "log_info",
    "nullcheck",
    "nullcheck_table",
    "pivot",
    "pretty_log_format",
    "pretty_time",
    "safe_add",
    "safe_divide",
    "safe_subtract",
    "slugify",
    "star",
    "union_relations",
    "unpivot",
    "width_bucket",
}
TAKEN = (
    DBT_UTILS_TESTS
    | {f"test_{t}" for t in DBT_UTILS_TESTS}
    | {f"default__test_{t}" for t in DBT_UTILS_TESTS}
    | DBT_UTILS_MACROS
    | {f"default__{m}" for m in DBT_UTILS_MACROS}
)
DEFINITION = re.compile(r"\{%-?\s*(macro|test)\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def _our_macros() -> set[str]:
    names = set()
    for path in (REPO / "dbt_project" / "macros").rglob("*.sql"):
        for kind, name in DEFINITION.findall(path.read_text(encoding="utf-8")):
            names |= {name, f"test_{name}"} if kind == "test" else {name}
    return names


def test_the_definition_scan_finds_our_generic_tests() -> None:
    names = _our_macros()
    assert {"in_range", "unique_together", "reject_share_at_most"} <= names
    assert {"default__test_in_range", "split_bucket"} <= names
    assert len(names) > 100


def test_no_macro_of_ours_takes_a_dbt_utils_name() -> None:
    assert sorted(_our_macros() & TAKEN) == []
