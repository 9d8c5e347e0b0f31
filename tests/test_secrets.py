"""No secrets in the repository: credentials in profiles come from env vars only, and no
tracked file carries a private key or a cloud access key."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
# profile keys that hold credentials in dbt adapters (duckdb, spark, bigquery, postgres, …)
SECRET_KEYS = {
    "password", "pass", "token", "keyfile", "keyfile_json", "private_key", "private_key_id",
    "client_secret", "refresh_token", "secret", "access_token", "api_key",
}  # fmt: skip
ENV_VAR = re.compile(r"^\{\{\s*env_var\(\s*'[A-Z0-9_]+'\s*\)\s*\}\}$")
LEAKS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b"),
    "Spotify client secret": re.compile(r"client_secret\s*[=:]\s*['\"]?[0-9a-f]{32}\b"),
}


def _secret_values(node, path=()):
    """(path, value) of every credential-like key anywhere in a YAML document."""
    if isinstance(node, dict):
        for k, v in node.items():
            if str(k).lower() in SECRET_KEYS and not isinstance(v, dict | list):
                yield (*path, k), v
            yield from _secret_values(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _secret_values(v, (*path, i))


def test_the_secret_finder_finds_a_literal_and_accepts_an_env_var():
    doc = {"p": {"outputs": {"a": {"password": "hunter2"}, "b": {"token": "{{ env_var('T') }}"}}}}
    found = dict(_secret_values(doc))
    assert found == {
        ("p", "outputs", "a", "password"): "hunter2",
        ("p", "outputs", "b", "token"): "{{ env_var('T') }}",
    }
    assert not ENV_VAR.match("hunter2")
    assert ENV_VAR.match("{{ env_var('T') }}")
    assert not ENV_VAR.match("{{ env_var('T', 'hunter2') }}")  # a default would be a secret


@pytest.mark.parametrize("profile", sorted((REPO / "profiles").glob("*.yml")), ids=str)
def test_profiles_take_credentials_from_env_vars_without_defaults(profile: Path):
    doc = yaml.safe_load(profile.read_text(encoding="utf-8"))
    for where, value in _secret_values(doc):
        assert isinstance(value, str) and ENV_VAR.match(value), (
            f"{profile.name}: {'.'.join(map(str, where))} must be {{{{ env_var('NAME') }}}}"
        )


def test_no_tracked_file_carries_a_key():
    files = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    assert files, "not a git checkout"
    leaks = []
    for name in files:
        path = REPO / name
        if not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        leaks += [f"{name}: {what}" for what, pattern in LEAKS.items() if pattern.search(text)]
    assert leaks == []
