"""Shared fixtures: real dbt builds on real files. Demo datasets and the warehouses several
test files read are made once per session (across pytest-xdist workers, see support.py);
a test that changes one works on a copy."""

from __future__ import annotations

import os
from pathlib import Path
from unittest import mock

import pytest

from models_py.generate import SOURCES
from support import (
    DEMO_SCALE,
    DEMO_SEED,
    LARGE_SCALE,
    LARGE_SEED,
    SHARED_REALDATA,
    SHARED_WILD,
    BuildResult,
    dataset_key,
    demo_raw,
    generated_twice,
    generation_log,
    once,
    session_root,
    shared_run,
)

# Datasets a test generates twice on purpose (the generator's determinism test).
GENERATED_TWICE_ON_PURPOSE = {dataset_key(DEMO_SCALE, DEMO_SEED, SOURCES, False)}


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


@pytest.fixture(scope="session", autouse=True)
def _generation_log(tmp_path_factory: pytest.TempPathFactory):
    """Every dataset `models_py.generate` writes this session, in this process or in a CLI
    process a test starts, is logged; `pytest_sessionfinish` fails the session if one was
    written twice."""
    os.environ["LW_GENERATION_LOG"] = str(generation_log(session_root(tmp_path_factory)))
    yield


@pytest.fixture(scope="session", autouse=True)
def _shared_parse(tmp_path_factory: pytest.TempPathFactory):
    """One `dbt parse` per session, whose partial-parse file every dbt run of the session
    reads (`DBT_PARTIAL_PARSE_FILE_PATH`; each run writes its own to its target folder). A
    run whose profile, vars or project files differ re-parses in full, as dbt decides."""
    from models_py.warehouse import Paths, run_dbt

    def make(folder: Path) -> None:
        with mock.patch.dict(os.environ, {"DBT_TARGET_PATH": str(folder / "target")}):
            run_dbt(["parse", "--quiet"], Paths(folder / "raw", folder / "warehouse.duckdb"))

    folder = once(tmp_path_factory, "dbt-parse", make)
    os.environ["DBT_PARTIAL_PARSE_FILE_PATH"] = str(folder / "target" / "partial_parse.msgpack")
    yield


# the longest modules, handed out first and in this order: the sqlfluff lint in `make test`
# (one 2–3 minute test with no fixture to share: last, it ran alone on one worker for
# minutes); in the slow tier the seven single-source runs (~690 s of its ~1,700
# test-seconds) and the publish kill matrix (~430 s), so the two workers end together
LONGEST_FIRST = ("test_lint.py", "test_source_subsets.py", "test_publish.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Long modules go first, short ones fill the end: xdist `--dist loadscope` hands out
    whole modules in the order their tests come. First `LONGEST_FIRST`, then the modules
    that run dbt, then the rest."""
    items.sort(
        key=lambda item: (
            LONGEST_FIRST.index(item.path.name)
            if item.path.name in LONGEST_FIRST
            else len(LONGEST_FIRST),
            not item.get_closest_marker("dbt"),
        )
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _is_worker(session.config):
        return
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None:
        return
    twice = generated_twice(session_root(factory), GENERATED_TWICE_ON_PURPOSE)
    if twice:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = "demo datasets generated more than once this session:\n  " + "\n  ".join(twice)
        if reporter is not None:
            reporter.write_line(message, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def realdata_dir() -> Path:
    if not SHARED_REALDATA.is_dir():
        pytest.skip(f"real data samples not found at {SHARED_REALDATA} (../shared is absent)")
    return SHARED_REALDATA


@pytest.fixture(scope="session")
def realdata_build(realdata_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """One dbt build (models and every data test) on ../shared/realdata."""
    return shared_run(tmp_path_factory, "realdata-build", "build", realdata_dir).check("build")


@pytest.fixture(scope="session")
def demo_raw_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The suite's demo raw data (scale 0.2, seed 7), read-only."""
    return demo_raw(tmp_path_factory, DEMO_SCALE, DEMO_SEED)


@pytest.fixture(scope="session")
def demo_run(demo_raw_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """`run` (what `make run` calls: dbt build with every data test, train every model, write
    scores back and build what reads them, publish the snapshot, write the report) on the
    demo data into a new warehouse, once per session, read-only."""
    return _demo_run(demo_raw_dir, tmp_path_factory)


def _demo_run(demo_raw_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    # demo_build calls this rather than requesting demo_run: test_playlist_classifier has a
    # module fixture of that name, which would shadow the session one (ScopeMismatch)
    return shared_run(tmp_path_factory, "demo-run", "run", demo_raw_dir).check("run")


@pytest.fixture(scope="session")
def demo_build(demo_raw_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The shared demo warehouse, for tests of what dbt builds: the `run` above, whose first
    step is the whole `dbt build` (the models and every data test; the trained scores are
    only added to it). A test that needs a warehouse no model has touched uses
    `realdata_build`."""
    return _demo_run(demo_raw_dir, tmp_path_factory)


@pytest.fixture(scope="session")
def demo_large_raw_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Demo raw data at scale 0.5, seed 42, read-only."""
    return demo_raw(tmp_path_factory, LARGE_SCALE, LARGE_SEED)


@pytest.fixture(scope="session")
def demo_large_build(
    demo_large_raw_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> BuildResult:
    """Every model of the larger demo, read-only. Its data tests are left out: the model
    tests read it, and the data tests run on the demo, real-data and wild builds."""
    return shared_run(
        tmp_path_factory,
        "demo-large-build",
        "build",
        demo_large_raw_dir,
        *("--exclude", "resource_type:test", "resource_type:unit_test"),
    ).check("build")


@pytest.fixture(scope="session")
def wild_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """One dbt build (models and every data test) on ../shared/wild, read-only (the wild
    Last.fm, MPD, playlist, audio-feature and streaming-history tests read it)."""
    if not SHARED_WILD.is_dir():
        pytest.skip(f"wild corpus not found at {SHARED_WILD} (../shared is absent)")
    return shared_run(tmp_path_factory, "wild-build", "build", SHARED_WILD).check("build")
