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
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from models_py.warehouse import open_duckdb  # noqa: E402

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
FEATURES = ["danceability", "energy", "speechiness", "acousticness", "instrumentalness",
            "liveness", "valence"]  # fmt: skip
KERNELS = ["linear", "poly", "rbf", "sigmoid"]
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


def _figure(width: float = 8.0, height: float = 4.2, **kw) -> tuple[plt.Figure, object]:
    fig, ax = plt.subplots(figsize=(width, height), **kw)
    return fig, ax


def _empty(message: str) -> plt.Figure:
    fig, ax = _figure(8, 1.6)
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, color="#555")
    return fig


def _no_data(what: str) -> plt.Figure:
    """The picture of a chart whose query found nothing: "no data", and what is missing."""
    return _empty(f"no data: {what}")


def _short_class(name: str) -> str:
    return name.removeprefix("user:").removesuffix("_playlist_tracks").replace("_", " ")


# --------------------------------------------------------------------------- drawings
def draw_confusion(df: pd.DataFrame) -> plt.Figure:
    """Confusion matrices (share of each true class) per kernel, with and without class weights."""
    if df.empty:
        return _no_data("no classifier runs in marts.rpt_classifier_confusion")
    classes = sorted(set(df["true_class"]) | set(df["predicted_class"]))
    labels = [_short_class(c) for c in classes]
    fig, axes = plt.subplots(2, 4, figsize=(14, 7.4), constrained_layout=True)
    for row, weighting in enumerate(["balanced", "unweighted"]):
        for col, kernel in enumerate(KERNELS):
            ax = axes[row][col]
            part = df[df["model_name"] == f"svm_{kernel}_{weighting}"]
            grid = (
                part.pivot_table(index="true_class", columns="predicted_class",
                                 values="share_of_true_class", aggfunc="sum")
                .reindex(index=classes, columns=classes)
                .fillna(0.0)
            )  # fmt: skip
            ax.imshow(grid.to_numpy(), cmap="Blues", vmin=0, vmax=1)
            for (i, j), v in np.ndenumerate(grid.to_numpy()):
                if v >= 0.005:
                    ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7,
                            color="white" if v > 0.5 else "black")  # fmt: skip
            ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=7)
            ax.set_yticks(range(len(labels)), labels, fontsize=7)
            weights = "class-weighted" if weighting == "balanced" else "unweighted"
            ax.set_title(f"{kernel}, {weights}", fontsize=9)
            ax.set_xlabel("predicted playlist", fontsize=8)
            ax.set_ylabel("true playlist", fontsize=8)
    return fig


def draw_accuracy_by_kernel(df: pd.DataFrame) -> plt.Figure:
    """Held-out balanced accuracy per SVM kernel, class-weighted beside unweighted."""
    if df.empty:
        return _no_data("no classifier runs in marts.rpt_model_comparison")
    fig, ax = _figure(9, 4.2)
    x = np.arange(len(KERNELS))
    for i, weighting in enumerate(["balanced", "unweighted"]):
        vals = [df.loc[df["model_name"] == f"svm_{k}_{weighting}", "value"].mean() for k in KERNELS]
        ax.bar(x + (i - 0.5) * 0.38, vals, width=0.38,
               label="class-weighted" if weighting == "balanced" else "unweighted")  # fmt: skip
    for name, style in [("baseline_majority", "--"), ("baseline_stratified", ":"), ("mlp", "-.")]:
        v = df.loc[df["model_name"] == name, "value"]
        if len(v):
            ax.axhline(float(v.mean()), color="#444", linestyle=style, linewidth=1,
                       label=name.removeprefix("baseline_"))  # fmt: skip
    ax.set_xticks(x, [f"SVM {k}" for k in KERNELS])
    ax.set_ylabel("held-out balanced accuracy")
    ax.set_xlabel("kernel")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8, ncol=3)
    return fig


def draw_playlist_descriptors(df: pd.DataFrame) -> plt.Figure:
    """Mean audio descriptors of each of your playlists."""
    if df.empty:
        return _no_data("no playlists with audio features in marts.dim_playlists")
    fig, ax = _figure(10, 4.4)
    names = df["playlist_name"].tolist()
    x = np.arange(len(FEATURES))
    width = 0.8 / max(len(names), 1)
    for i, name in enumerate(names):
        ax.bar(x + i * width - 0.4 + width / 2, [df.iloc[i][f"mean_{f}"] for f in FEATURES],
               width=width, label=name)  # fmt: skip
    ax.set_xticks(x, FEATURES, rotation=20)
    ax.set_ylabel("mean over the playlist's tracks (0–1)")
    ax.set_xlabel("audio descriptor")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8, ncol=min(len(names), 6), title="playlist", title_fontsize=8)
    return fig


def draw_hours_per_day(df: pd.DataFrame) -> plt.Figure:
    """Hours listened per day per user, with a per-year fitted line."""
    if df.empty:
        return _no_data("no scrobbles in marts.rpt_listening_daily")
    users = sorted(df["user_name"].unique())
    fig, axes = plt.subplots(len(users), 1, figsize=(10, 2.2 * len(users)), squeeze=False,
                             constrained_layout=True)  # fmt: skip
    for ax, user in zip(axes[:, 0], users, strict=True):
        part = df[df["user_name"] == user].sort_values("played_date")
        dates = pd.to_datetime(part["played_date"])
        ax.plot(dates, part["hours_listened"], linewidth=0.6, color="#9bb", label="hours per day")
        ax.plot(dates, part["trend_hours"], linewidth=2, color="#c33", label="trend per year")
        ax.set_title(user, fontsize=9, loc="left")
        ax.set_ylabel("hours")
    axes[-1, 0].set_xlabel("date")
    axes[0, 0].legend(fontsize=8, loc="upper right")
    return fig


def draw_artists_over_time(df: pd.DataFrame) -> plt.Figure:
    """Hours listened per month to the top artists, stacked over time."""
    if df.empty:
        return _no_data("no artist months in marts.rpt_listening_monthly")
    pivot = df.pivot_table(index="played_month", columns="artist_name", values="hours",
                           aggfunc="sum")  # fmt: skip
    pivot.index = pd.to_datetime(pivot.index)
    months = pd.date_range(pivot.index.min(), pivot.index.max(), freq="MS")
    pivot = pivot.reindex(months).fillna(0.0)  # a month without plays is 0, not a ramp
    fig, ax = _figure(10, 4.6)
    ax.stackplot(pivot.index, pivot.to_numpy().T, labels=pivot.columns, step="post")
    ax.set_ylabel("hours listened per month")
    ax.set_xlabel("month")
    ax.legend(fontsize=7, ncol=2, loc="upper left", title="artist (top 8)", title_fontsize=7)
    return fig


def draw_uri_coverage(df: pd.DataFrame) -> plt.Figure:
    """Share of each month's scrobbles matched to a Spotify URI, per user."""
    if df.empty:
        return _no_data("no scrobbles in marts.rpt_uri_match_coverage")
    fig, ax = _figure(10, 4)
    for user, part in df.groupby("user_name"):
        part = part.sort_values("played_month")
        ax.plot(
            pd.to_datetime(part["played_month"]),
            part["share_matched"],
            marker=".",
            label=f"{user} (all: {part['n_matched'].sum() / part['n_scrobbles'].sum():.0%})",
        )
    ax.set_ylabel("share of scrobbles matched to a Spotify track")
    ax.set_xlabel("month")
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=8)
    return fig


def draw_features_by_duration(df: pd.DataFrame) -> plt.Figure:
    """Mean audio features of catalog tracks by whole minutes of duration."""
    if df.empty:
        return _no_data("no tracks in marts.rpt_track_features_by_duration")
    fig, ax = _figure(10, 4.4)
    for f in FEATURES:
        ax.plot(df["duration_minutes"], df[f"mean_{f}"], marker="o", markersize=3, label=f)
    ax.set_xlabel("track duration (whole minutes)")
    ax.set_ylabel("mean feature value")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8, ncol=4)
    return fig


def draw_skip_rates(df: pd.DataFrame) -> plt.Figure:
    """skip_2 rate by session position, hour of day and weekday."""
    if df.empty:
        return _no_data("no session events in marts.rpt_skip_rates")
    dims = [("session_position", "position in session"), ("hour_of_day", "hour of day"),
            ("weekday", "weekday")]  # fmt: skip
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), constrained_layout=True)
    for ax, (dim, label) in zip(axes, dims, strict=True):
        part = df[df["dimension"] == dim].sort_values("bucket_order")
        ax.bar(part["bucket"].astype(str), part["share_skipped"], color="#47a")
        ax.set_xlabel(label)
        ax.set_ylabel("skip rate (skip_2)")
        ax.set_ylim(0, 1)
        ax.tick_params(axis="x", labelsize=7, rotation=90 if len(part) > 12 else 0)
    return fig


def _heatmap(df: pd.DataFrame, row: str, col: str, xlabel: str, ylabel: str) -> plt.Figure:
    grid = df.pivot_table(index=row, columns=col, values="n_transitions", aggfunc="sum")
    grid = grid.sort_index().sort_index(axis=1).fillna(0.0)
    share = grid.div(grid.sum(axis=1).replace(0, np.nan), axis=0).fillna(0.0)
    fig, ax = _figure(7, 5.6)
    im = ax.imshow(share.to_numpy(), origin="lower", cmap="viridis", aspect="auto")
    ax.set_xticks(range(len(share.columns)), [f"{c:g}" for c in share.columns], fontsize=8)
    ax.set_yticks(range(len(share.index)), [f"{c:g}" for c in share.index], fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.colorbar(im, ax=ax, label="share of the row's transitions")
    return fig


def draw_danceability_transitions(df: pd.DataFrame) -> plt.Figure:
    """Danceability bin now against the bin of the next track."""
    if df.empty:
        return _no_data("no transitions in marts.rpt_danceability_transitions")
    return _heatmap(df, "prev_danceability_bin", "next_danceability_bin",
                    "danceability of the next track", "danceability of the track now")  # fmt: skip


def draw_popularity_transitions(df: pd.DataFrame) -> plt.Figure:
    """Popularity decile now against the decile of the next track."""
    if df.empty:
        return _no_data("no transitions in marts.rpt_transitions_by_popularity")
    return _heatmap(df, "prev_popularity_decile", "next_popularity_decile",
                    "popularity decile of the next track", "popularity decile now")  # fmt: skip


def draw_elbow(df: pd.DataFrame) -> plt.Figure:
    """KMeans inertia by number of clusters over playlist aggregates."""
    if df.empty:
        return _no_data("no KMeans runs (task playlist_clusters) in marts.rpt_model_comparison")
    df = df.sort_values("k")
    fig, ax = _figure(8, 4)
    ax.plot(df["k"], df["value"], marker="o")
    ax.set_xscale("log")
    ax.set_xticks(df["k"], [str(k) for k in df["k"]])
    ax.set_xlabel("number of clusters k (log scale)")
    ax.set_ylabel("inertia (within-cluster sum of squares)")
    return fig


def draw_skip_maa(df: pd.DataFrame) -> plt.Figure:
    """The skip model's test MAA against its baselines and the oracle."""
    if df.empty:
        return _no_data("no skip model runs in marts.rpt_model_comparison")
    df = df.sort_values("value")
    fig, ax = _figure(8, 3.8)
    colors = ["#c33" if not b else ("#888" if m != "oracle" else "#2a2") for m, b in
              zip(df["model_name"], df["is_baseline"], strict=True)]  # fmt: skip
    ax.barh(df["model_name"], df["value"], color=colors)
    for y, v in enumerate(df["value"]):
        ax.text(v + 0.005, y, f"{v:.3f}", va="center", fontsize=8)
    ax.set_xlabel("mean average accuracy (WSDM Cup 2019), test sessions")
    ax.set_ylabel("model")
    ax.set_xlim(0, 1)
    return fig


def draw_calibration(df: pd.DataFrame) -> plt.Figure:
    """Calibration of the skip model's probabilities on the test events."""
    if df.empty:
        return _no_data("no test predictions in marts.fct_skip_predictions")
    fig, ax = _figure(5.6, 5.2)
    ax.plot([0, 1], [0, 1], linestyle="--", color="#888", label="perfectly calibrated")
    ax.plot(df["mean_p_skip"], df["observed_skip_rate"], marker="o", label="skip model")
    for _, r in df.iterrows():
        ax.annotate(f"{int(r['n_events']):,}", (r["mean_p_skip"], r["observed_skip_rate"]),
                    fontsize=6, xytext=(3, -8), textcoords="offset points")  # fmt: skip
    ax.set_xlabel("predicted P(skip), bin mean")
    ax.set_ylabel("observed skip rate")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8)
    return fig


def draw_continuation(df: pd.DataFrame) -> plt.Figure:
    """Continuation metrics by seed size, per method."""
    if df.empty:
        return _no_data("no continuation runs in marts.rpt_model_comparison")
    metrics = [
        ("r_precision", "R-precision"),
        ("ndcg", "NDCG"),
        ("clicks", "clicks (lower is better)"),
    ]
    sizes = sorted(df["seed_size"].unique())
    position = {k: i for i, k in enumerate(sizes)}  # evenly spaced: 0, 1, 5, 10, 25, 100
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.9), constrained_layout=True)
    for ax, (metric, label) in zip(axes, metrics, strict=True):
        part = df[df["metric"] == metric]
        for method, m in part.groupby("model_name"):
            m = m.sort_values("seed_size")
            name = "ours" if method == "cooccurrence" else method.replace("_", " ")
            ax.plot(m["seed_size"].map(position), m["value"], marker="o", label=name)
        ax.set_xticks(range(len(sizes)), [str(k) for k in sizes])
        ax.set_xlabel("seed tracks given (k; 0 = playlist name only)")
        ax.set_ylabel(label)
    axes[0].legend(fontsize=8)
    return fig


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
                print(f"  report: {chart.key:<13} {shown}", flush=True)
    failed = [r for r in rendered if r.error]
    text = page(rendered, summary, warehouse, time.perf_counter() - t0)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, out)
    if failed:
        print(f"report: {len(failed)} chart(s) without data: "
              + "; ".join(f"{r.chart.key}: {r.error}" for r in failed))  # fmt: skip
    return out
