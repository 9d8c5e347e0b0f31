"""The report's drawings: one function per chart, from the rows of its query to a
matplotlib figure (``report`` holds the charts' queries and renders the page)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # no screen: draw to memory
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

FEATURES = ["danceability", "energy", "speechiness", "acousticness", "instrumentalness",
            "liveness", "valence"]  # fmt: skip
KERNELS = ["linear", "poly", "rbf", "sigmoid"]


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
