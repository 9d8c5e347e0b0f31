"""SQL kept in ``.sql`` files beside the Python module that runs it.

A module's file (``split.py`` -> ``split.sql``) holds named statements, each starting with
a line ``-- name: <name>``; comment lines before the first name describe the file. A
statement may hold ``{{ fragment }}`` placeholders for identifiers and column lists the
module builds from its constants (feature lists, table names) — never for values, which
are always bound as ``$parameters``. ``render`` fails on a placeholder it was not given and
on a fragment the statement does not use, so a file and its module cannot drift apart
silently.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["load", "render"]

_NAME = re.compile(r"^-- name: ([a-z_][a-z0-9_]*)[ \t]*$", re.MULTILINE)
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")


def load(module_file: str) -> dict[str, str]:
    """The named statements of the ``.sql`` file beside ``module_file`` (pass ``__file__``)."""
    path = Path(module_file).with_suffix(".sql")
    parts = _NAME.split(path.read_text(encoding="utf-8"))
    statements: dict[str, str] = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        if name in statements:
            raise ValueError(f"{path}: statement {name!r} is defined twice")
        statements[name] = body.strip() + "\n"
    return statements


def render(template: str, **fragments: str) -> str:
    """``template`` with every ``{{ name }}`` replaced by ``fragments[name]``."""
    used = set(_PLACEHOLDER.findall(template))
    missing, unused = used - set(fragments), set(fragments) - used
    if missing or unused:
        raise ValueError(f"SQL fragments missing {sorted(missing)}, unused {sorted(unused)}")
    return _PLACEHOLDER.sub(lambda m: fragments[m.group(1)], template)
