"""The report: one self-contained HTML page of charts from the marts and the model runs.

Every chart is drawn from one SQL query on the warehouse's `marts` schema (never from raw
files); the query sits under the chart, one click away. Charts are PNG images embedded in
the page, so it opens offline, from a mail attachment or a file share. A chart whose mart
is empty says so in its picture rather than disappearing.

    python -m models_py report [--out PATH]     # default <warehouse dir>/report/index.html
"""

from __future__ import annotations

import base64
import html
import io
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import matplotlib

matplotlib.use("Agg")  # no screen: draw to memory
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from models_py.report_drawings import (  # noqa: E402
    FEATURES,
    _empty,
    draw_accuracy_by_kernel,
    draw_artists_over_time,
    draw_calibration,
    draw_confusion,
    draw_continuation,
    draw_danceability_transitions,
    draw_elbow,
    draw_features_by_duration,
    draw_hours_per_day,
    draw_playlist_descriptors,
    draw_popularity_transitions,
    draw_skip_maa,
    draw_skip_rates,
    draw_uri_coverage,
)
from models_py.warehouse import open_duckdb  # noqa: E402

log = logging.getLogger("lw")

# the marts the report reads, every one public and contracted; the `html_report` exposure
# lists exactly these (tests/test_exposures.py)
READS: tuple[str, ...] = (
    "marts.dim_model_runs",
    "marts.dim_playlists",
    "marts.dim_spotify_tracks",
    "marts.fct_playlist_tracks",
    "marts.fct_rejected_rows",
    "marts.fct_scrobbles",
    "marts.fct_session_skip_labels",
    "marts.fct_skip_predictions",
    "marts.rpt_classifier_confusion",
    "marts.rpt_danceability_transitions",
    "marts.rpt_listening_daily",
    "marts.rpt_listening_monthly",
    "marts.rpt_model_comparison",
    "marts.rpt_skip_rates",
    "marts.rpt_track_features_by_duration",
    "marts.rpt_transitions_by_popularity",
    "marts.rpt_uri_match_coverage",
)
LATEST = """qualify trained_at = max(trained_at) over (partition by task, model_name)"""


@dataclass(frozen=True)
class Chart:
    """One picture: its title, the query it comes from and how to draw the query's rows."""

    key: str
    section: str
    title: str
    sql: str
    draw: Callable[[pd.DataFrame], plt.Figure]
    caption: str = ""


# --------------------------------------------------------------------------- the charts
CHARTS = [
    Chart(
        "confusion",
        "Playlist classifier",
        "Confusion matrices per SVM kernel, class-weighted vs unweighted",
        f"""select model_name, true_class, predicted_class, share_of_true_class
from marts.rpt_classifier_confusion
where model_name like 'svm_%' and label_set = 'own_playlists'
  and run_id in (select run_id from marts.rpt_model_comparison
                 where task like 'playlist_classifier%' {LATEST})""",  # noqa: S608 - only this module's constants (FEATURES, LATEST) are formatted in
        draw_confusion,
        "Share of each true playlist's held-out tracks predicted as each playlist.",
    ),
    Chart(
        "accuracy",
        "Playlist classifier",
        "Held-out balanced accuracy by kernel",
        f"""select model_name, value
from marts.rpt_model_comparison
where task like 'playlist_classifier%' and metric = 'balanced_accuracy'
{LATEST}""",  # noqa: S608 - only this module's constants (FEATURES, LATEST) are formatted in
        draw_accuracy_by_kernel,
        "Lines: majority and stratified-random baselines and the MLP.",
    ),
    Chart(
        "descriptors",
        "Playlists",
        "Average audio descriptor per playlist (your playlists)",
        f"""select playlist_name, {", ".join(f"mean_{f}" for f in FEATURES)}
from marts.dim_playlists
where playlist_source <> 'mpd' and share_with_features > 0
order by playlist_name""",  # noqa: S608 - only this module's constants (FEATURES, LATEST) are formatted in
        draw_playlist_descriptors,
    ),
    Chart(
        "hours",
        "Listening history",
        "Hours listened per day, per user, with a trend per year",
        """select
    user_name,
    played_date,
    hours_listened,
    regr_intercept(hours_listened, epoch(played_date) / 86400.0) over per_year
        + regr_slope(hours_listened, epoch(played_date) / 86400.0) over per_year
        * epoch(played_date) / 86400.0 as trend_hours
from marts.rpt_listening_daily
window per_year as (partition by user_name, year(played_date))
order by user_name, played_date""",
        draw_hours_per_day,
        "Red: least-squares line of hours per day, fitted per user and calendar year.",
    ),
    Chart(
        "artists",
        "Listening history",
        "Listening per artist over time (top 8 artists)",
        """with top_artists as (
    select item_name
    from marts.rpt_listening_monthly
    where item_level = 'artist'
    group by item_name
    order by sum(hours_listened) desc
    limit 8
)
select played_month, item_name as artist_name, sum(hours_listened) as hours
from marts.rpt_listening_monthly
where item_level = 'artist' and item_name in (select item_name from top_artists)
group by all
order by played_month""",
        draw_artists_over_time,
    ),
    Chart(
        "coverage",
        "Listening history",
        "URI-match coverage: scrobbles matched to Spotify tracks",
        """select user_name, played_month, n_scrobbles, n_matched, share_matched
from marts.rpt_uri_match_coverage
order by user_name, played_month""",
        draw_uri_coverage,
    ),
    Chart(
        "duration",
        "Catalog",
        "Audio feature means by track duration",
        f"""select duration_minutes, {", ".join(f"mean_{f}" for f in FEATURES)}
from marts.rpt_track_features_by_duration
order by duration_minutes""",  # noqa: S608 - only this module's constants (FEATURES, LATEST) are formatted in
        draw_features_by_duration,
        "E.g. acousticness by duration, as in the source write-up.",
    ),
    Chart(
        "skips",
        "Sessions",
        "Skip rate by position in session, hour of day and weekday",
        """select dimension, bucket, bucket_order, share_skipped
from marts.rpt_skip_rates
order by dimension, bucket_order""",
        draw_skip_rates,
    ),
    Chart(
        "danceability",
        "Transitions",
        "Danceability now vs next (all transition sources)",
        """select prev_danceability_bin, next_danceability_bin, sum(n_transitions) as n_transitions
from marts.rpt_danceability_transitions
group by all""",
        draw_danceability_transitions,
        "Each row sums to 1: where a track of that danceability leads.",
    ),
    Chart(
        "popularity",
        "Transitions",
        "Transitions by popularity decile",
        """select
    prev_popularity_decile, next_popularity_decile, sum(n_transitions) as n_transitions
from marts.rpt_transitions_by_popularity
group by all""",
        draw_popularity_transitions,
    ),
    Chart(
        "elbow",
        "Playlist generator",
        "KMeans elbow over playlist aggregates",
        f"""select cast(regexp_extract(model_name, '[0-9]+$') as integer) as k, value
from marts.rpt_model_comparison
where task = 'playlist_clusters' and metric = 'inertia'
{LATEST}""",  # noqa: S608 - only this module's constants (FEATURES, LATEST) are formatted in
        draw_elbow,
    ),
    Chart(
        "continuation",
        "Playlist generator",
        "Playlist continuation by seed size (RecSys Challenge 2018 metrics)",
        f"""select
    cast(regexp_extract(task, 'k([0-9]+)$', 1) as integer) as seed_size,
    model_name,
    metric,
    value
from marts.rpt_model_comparison
where task like 'playlist_continuation:k%' and metric in ('r_precision', 'ndcg', 'clicks')
{LATEST}""",  # noqa: S608 - only this module's constants (FEATURES, LATEST) are formatted in
        draw_continuation,
    ),
    Chart(
        "maa",
        "Skip model",
        "Skip model: mean average accuracy vs baselines and the oracle",
        f"""select model_name, is_baseline, value
from marts.rpt_model_comparison
where task = 'skip_prediction' and metric = 'maa'
{LATEST}""",  # noqa: S608 - only this module's constants (FEATURES, LATEST) are formatted in
        draw_skip_maa,
        "Red: the model; grey: baselines; green: the generator's oracle (an upper bound).",
    ),
    Chart(
        "calibration",
        "Skip model",
        "Skip model calibration on test sessions",
        """select
    least(floor(p_skip * 10), 9) / 10 + 0.05 as bin_mid,
    avg(p_skip) as mean_p_skip,
    avg(cast(skip_label as double)) as observed_skip_rate,
    count(*) as n_events
from marts.fct_skip_predictions
where split = 'test'
  and run_id = (select max_by(run_id, trained_at) from marts.dim_model_runs
                where task = 'skip_prediction' and not is_baseline)
group by all
order by bin_mid""",
        draw_calibration,
        "Bins of predicted probability; numbers are events per bin.",
    ),
]

SUMMARY_SQL = """select
    (select count(*) from marts.dim_playlists) as playlists,
    (select count(*) from marts.fct_playlist_tracks) as playlist_entries,
    (select count(*) from marts.fct_scrobbles) as scrobbles,
    (select count(distinct session_id) from marts.fct_session_skip_labels) as sessions,
    (select count(*) from marts.dim_spotify_tracks) as catalog_tracks,
    (select count(*) from marts.fct_rejected_rows) as rejected_rows,
    (select count(*) from marts.dim_model_runs) as model_runs"""


@dataclass
class Rendered:
    """A chart drawn: its PNG, the rows it was drawn from, or the error that stopped it."""

    chart: Chart
    png: bytes
    n_rows: int
    error: str | None = None


def render(con: duckdb.DuckDBPyConnection, chart: Chart) -> Rendered:
    """Run the chart's query and draw it; a failing query becomes a picture saying why."""
    try:
        df = con.execute(chart.sql).df()
        fig = chart.draw(df)
        n, error = len(df), None
    except duckdb.Error as exc:  # a mart missing in an older warehouse: say so, go on
        fig = _empty(f"query failed: {str(exc).splitlines()[0][:110]}")
        n, error = 0, str(exc).splitlines()[0]
    fig.suptitle(chart.title, fontsize=12, fontweight="bold")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=96, bbox_inches="tight", facecolor="white")
    plt.close(fig)
    return Rendered(chart, buf.getvalue(), n, error)


PAGE_CSS = """
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1180px; padding: 1rem 2rem;
       color: #222; }
h1 { margin-bottom: 0.2rem; } .meta { color: #666; font-size: 0.9rem; }
.tiles { display: flex; flex-wrap: wrap; gap: 0.6rem; margin: 1rem 0; }
.tile { background: #f3f5f8; border-radius: 6px; padding: 0.5rem 0.9rem; min-width: 8rem; }
.tile b { display: block; font-size: 1.3rem; }
nav a { margin-right: 0.8rem; } section { margin: 2rem 0; }
figure { margin: 1.2rem 0 2rem; } figure img { max-width: 100%; height: auto; }
figcaption { color: #555; font-size: 0.9rem; }
details pre { background: #f6f6f6; padding: 0.6rem; overflow-x: auto; font-size: 0.8rem; }
"""

# Marks the page once every chart image has decoded: data-charts-loaded / data-charts-total.
PAGE_JS = """
window.addEventListener('load', function () {
  var imgs = document.querySelectorAll('img.chart');
  var ok = 0;
  imgs.forEach(function (img) { if (img.complete && img.naturalWidth > 0) { ok += 1; } });
  document.body.dataset.chartsLoaded = String(ok);
  document.body.dataset.chartsTotal = String(imgs.length);
});
"""


def page(rendered: list[Rendered], summary: dict, warehouse: Path, seconds: float) -> str:
    """The self-contained HTML page: summary tiles, then the charts by section."""
    sections: dict[str, list[Rendered]] = {}
    for r in rendered:
        sections.setdefault(r.chart.section, []).append(r)
    tiles = "".join(
        f'<div class="tile"><b>{v:,}</b>{html.escape(k.replace("_", " "))}</div>'
        for k, v in summary.items()
    )
    nav = " ".join(f'<a href="#{html.escape(s.lower().replace(" ", "-"))}">{html.escape(s)}</a>'
                   for s in sections)  # fmt: skip
    body = []
    for section, items in sections.items():
        body.append(f'<section id="{html.escape(section.lower().replace(" ", "-"))}">'
                    f"<h2>{html.escape(section)}</h2>")  # fmt: skip
        for r in items:
            data = base64.b64encode(r.png).decode("ascii")
            caption = html.escape(r.chart.caption)
            body.append(
                f'<figure id="{r.chart.key}"><img class="chart" alt="{html.escape(r.chart.title)}" '
                f'src="data:image/png;base64,{data}">'
                f"<figcaption>{caption} <i>{f'{r.n_rows:,} rows' if r.n_rows else 'no data'}.</i>"
                f"<details><summary>the query</summary><pre>{html.escape(r.chart.sql)}</pre>"
                f"</details></figcaption></figure>"
            )
        body.append("</section>")
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Listening Warehouse report</title>
<style>{PAGE_CSS}</style></head>
<body>
<h1>Listening Warehouse</h1>
<p class="meta">Made {made} from <code>{html.escape(str(warehouse))}</code> (marts and model
runs only) in {seconds:.1f} s. Every chart's query is one click below it.</p>
<div class="tiles">{tiles}</div>
<nav>{nav}</nav>
{"".join(body)}
<script>{PAGE_JS}</script>
</body></html>
"""


def default_out(warehouse: Path) -> Path:
    """Where the report goes by default: report/index.html beside the warehouse."""
    return warehouse.parent / "report" / "index.html"


def build_report(warehouse: Path, out: Path | None = None, progress: bool = True) -> Path:
    """Write the report for `warehouse` and return its path (atomically replaced)."""
    t0 = time.perf_counter()
    out = out or default_out(warehouse)
    with open_duckdb(warehouse, read_only=True) as con:
        row = con.execute(SUMMARY_SQL).fetchall()[0]
        names = [d[0] for d in con.description]
        summary = dict(zip(names, row, strict=True))
        rendered = []
        for chart in CHARTS:
            rendered.append(render(con, chart))
            if progress:
                n_rows = rendered[-1].n_rows
                shown = f"{n_rows:>7,} rows" if n_rows else "no data"
                log.info("%s", f"  report: {chart.key:<13} {shown}")
    failed = [r for r in rendered if r.error]
    text = page(rendered, summary, warehouse, time.perf_counter() - t0)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, out)
    if failed:
        log.info("%s", f"report: {len(failed)} chart(s) without data: "
              + "; ".join(f"{r.chart.key}: {r.error}" for r in failed))  # fmt: skip
    return out
