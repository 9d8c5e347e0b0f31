"""The report and the dbt docs site, built on a demo run and looked at in a real browser.

`make run` ends by writing the report and printing its path; the page is self-contained
(no network), shows every chart with its query, and in headless Chromium every chart
decodes to a non-blank picture, the first screen is not blank and nothing is logged to the
console. The dbt docs site, served locally, loads its manifest and catalog. Browser tests
skip with a reason where no Chromium is installed (`.ci/run` installs it).
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import subprocess
import threading
from pathlib import Path

import duckdb
import matplotlib.image
import pytest

from models_py.report import CHARTS
from support import BuildResult, copy_warehouse, run_cli

pytestmark = pytest.mark.dbt

BROWSER = next(
    (b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None
)
needs_browser = pytest.mark.skipif(
    BROWSER is None, reason="no Chromium installed (Debian: apt-get install chromium)"
)
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--enable-logging=stderr", "--v=0",
]  # fmt: skip

# Appended to a copy of the report: after load, the share of non-white pixels of every
# chart as the browser decoded it, written to the body for --dump-dom to read.
INK_PROBE = """<script>
window.addEventListener('load', function () {
  var out = [];
  document.querySelectorAll('img.chart').forEach(function (img) {
    var c = document.createElement('canvas');
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    var ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    var d = ctx.getImageData(0, 0, c.width, c.height).data, ink = 0;
    for (var i = 0; i < d.length; i += 4) {
      if (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235) { ink += 1; }
    }
    out.push(img.closest('figure').id + '=' + (ink / (d.length / 4)).toFixed(4));
  });
  document.body.setAttribute('data-ink', out.join(';'));
});
</script>"""


def browse(tmp_path: Path, url: str, *args: str) -> tuple[str, list[str]]:
    """Headless Chromium on `url`: (what it printed, the console lines it logged)."""
    proc = subprocess.run(
        [BROWSER, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args, url],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    return proc.stdout, console


@pytest.fixture(scope="module")
def demo_run(demo_run: BuildResult) -> tuple[BuildResult, Path]:
    """The suite's shared `python -m models_py run` on the demo data (conftest): build,
    train, publish, report."""
    last = [line for line in demo_run.stdout.splitlines() if line.strip()][-1]
    match = re.fullmatch(r"report written in [0-9.]+s: (\S+)", last)
    assert match, f"run does not end with the report path: {last!r}"
    return demo_run, Path(match.group(1))


def test_run_ends_with_a_self_contained_report(demo_run):
    _, report = demo_run
    assert report.is_file() and report.name == "index.html"
    text = report.read_text(encoding="utf-8")
    figures = re.findall(r'<figure id="(\w+)">', text)
    assert figures == [c.key for c in CHARTS]
    # every chart carries its title and its query, one click away
    for chart in CHARTS:
        assert chart.title in text
    assert text.count("<details><summary>the query</summary>") == len(CHARTS)
    # offline: nothing is fetched from anywhere
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)
    assert text.count('src="data:image/png;base64,') == len(CHARTS)


def test_every_chart_query_finds_rows_on_the_demo_data(demo_run):
    result, _ = demo_run
    empty = []
    with duckdb.connect(str(result.warehouse), read_only=True) as con:
        for chart in CHARTS:
            if not con.execute(f"select count(*) from ({chart.sql})").fetchall()[0][0]:  # noqa: S608
                empty.append(chart.key)
    assert empty == []


@needs_browser
def test_every_chart_renders_non_blank_in_chromium_without_console_output(demo_run, tmp_path):
    _, report = demo_run
    probe = tmp_path / "probe.html"
    probe.write_text(
        report.read_text(encoding="utf-8").replace("</body>", INK_PROBE + "</body>"),
        encoding="utf-8",
    )
    dom, console = browse(tmp_path, probe.as_uri(), "--virtual-time-budget=10000", "--dump-dom")
    assert console == []
    body = re.search(r"<body([^>]*)>", dom).group(1)
    attrs = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', body))
    assert attrs.get("charts-loaded") == attrs.get("charts-total") == str(len(CHARTS))
    ink = dict(pair.split("=") for pair in attrs["ink"].split(";"))
    assert sorted(ink) == sorted(c.key for c in CHARTS)
    blank = {k: v for k, v in ink.items() if float(v) < 0.02}
    assert blank == {}


@needs_browser
def test_the_first_screen_is_not_blank(demo_run, tmp_path):
    _, report = demo_run
    shot = tmp_path / "first_screen.png"
    _, console = browse(tmp_path, report.as_uri(), "--window-size=1280,900", f"--screenshot={shot}")
    assert console == []
    pixels = matplotlib.image.imread(shot)[..., :3]
    assert pixels.shape[:2] == (900, 1280)
    ink = (pixels < 0.92).any(axis=-1).mean()
    assert ink > 0.05, f"only {ink:.1%} of the first screen is drawn"


@needs_browser
def test_the_console_check_sees_a_broken_page(tmp_path):
    """The browser checks above can fail: a page with a script error is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!doctype html><body><script>notDefined();</script></body>", encoding="utf-8")
    _, console = browse(tmp_path, bad.as_uri(), "--dump-dom")
    assert any("notDefined" in line for line in console)


@needs_browser
def test_the_docs_site_loads_its_catalog(demo_run, demo_raw_dir, tmp_path):
    result = copy_warehouse(demo_run[0], tmp_path / "wh")  # docs writes beside the warehouse
    docs = run_cli("docs", demo_raw_dir, result.warehouse)
    assert docs.returncode == 0, docs.stdout[-3000:] + docs.stderr[-3000:]
    target = result.warehouse.parent / "target"
    for name in ("index.html", "manifest.json", "catalog.json"):
        assert (target / name).is_file(), name

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(target))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = (
            f"http://127.0.0.1:{server.server_address[1]}/index.html"
            "#!/model/model.listening_warehouse.fct_scrobbles"
        )
        dom, _ = browse(tmp_path, url, "--virtual-time-budget=20000", "--dump-dom")
    finally:
        server.shutdown()
    # the model page shows the column from the manifest and its type from the catalog
    assert "fct_scrobbles" in dom
    assert "played_at" in dom
    assert re.search(r"TIMESTAMP", dom), "column types (from catalog.json) not shown"
