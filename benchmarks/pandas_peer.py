"""Stage ``pandas_peer``: the same two results written the way a pandas user would.

Playlist aggregates (per playlist: number of tracks, mean audio features of its tracks,
followers — ``marts.dim_playlists``) and next-track pairs (consecutive tracks of a
playlist, counted, with their share of the previous track's outgoing pairs —
``marts.fct_next_track_pairs``), from the raw MPD slices and audio-feature files.

Ours is ``dbt run --select +dim_playlists +fct_next_track_pairs`` (models only: the
pandas code tests nothing) into a fresh warehouse of its own, on a raw folder that links
to just the MPD and Spotify files (so neither side reads session logs or scrobbles).
Load is the staging models (``base_``/``stg_``: reading, typing, rejects) against
``json.load`` + the data frames; transformation the intermediate models and marts
against the pandas group-bys; end to end the whole ``dbt run`` (start-up included)
against load + transformation. Both results are checked to agree (row counts and sums),
else the comparison would not be honest.
"""

from __future__ import annotations

import gc
import json
import math
from pathlib import Path

import duckdb
import pandas as pd

from benchmarks.harness import MB, Recorder, markdown_table, tree_rss_bytes
from benchmarks.pipeline import model_times
from benchmarks.prepare import BenchDirs, BenchOptions, count_rows, dbt_build, ensure_raw_data

STAGE = "pandas_peer"
STEPS = ("generate", "dbt", "pandas_load", "pandas_transform")
SOURCES = ("mpd", "spotify")
SELECT = ["+dim_playlists", "+fct_next_track_pairs"]
FEATURES = (
    "danceability",
    "energy",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
)
TRACK_PREFIX = "spotify:track:"
TARGET_TRANSFORM_SPEEDUP = 3.0


def peer_dirs(opts: BenchOptions) -> BenchDirs:
    """``<dir>/peer``: its own warehouse and dbt artefacts; ``raw`` links to the MPD and
    Spotify folders of the benchmark's raw data."""
    dirs = BenchDirs(opts.dirs.root / "peer")
    dirs.raw.mkdir(parents=True, exist_ok=True)
    for source in SOURCES:
        link = dirs.raw / source
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to((opts.dirs.raw / source).resolve(), target_is_directory=True)
    return dirs


# --- the pandas peer: what a user would write -----------------------------------------


def pandas_load(raw: Path) -> dict[str, pd.DataFrame]:
    """Every MPD slice with ``json.load``; audio features from the Web API objects, pages
    and CSVs, then the tracks-by-genre table, the first source of a track winning (the
    warehouse's order of trust)."""
    playlists: list[tuple] = []
    entries: list[tuple] = []
    for path in sorted((raw / "mpd").glob("*.json")):
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
        for p in doc["playlists"]:
            playlists.append((p["pid"], p["num_followers"]))
            entries.extend((p["pid"], t["pos"], t["track_uri"]) for t in p["tracks"])
        del doc
    columns = ["track_id", *FEATURES]
    objects, pages = [], []
    for path in sorted((raw / "spotify" / "audio_features").glob("*.json")):
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
        if isinstance(doc, dict) and "audio_features" in doc:
            pages += [f for f in doc["audio_features"] if f]
        else:
            objects.append(doc)
    frames = [
        pd.DataFrame(rows).rename(columns={"id": "track_id"}).reindex(columns=columns)
        for rows in (objects, pages)
        if rows
    ]
    frames += [
        pd.read_csv(p, usecols=["id", *FEATURES]).rename(columns={"id": "track_id"})[columns]
        for p in sorted((raw / "spotify" / "audio_features").glob("*.csv"))
    ]
    frames += [
        pd.read_csv(p, usecols=columns)[columns]
        for p in sorted((raw / "spotify" / "tracks_by_genre").glob("*.csv"))
    ]
    features = pd.concat(frames, ignore_index=True).drop_duplicates("track_id", keep="first")
    entries_df = pd.DataFrame(entries, columns=["pid", "pos", "track_uri"])
    entries_df["track_id"] = entries_df["track_uri"].str.removeprefix(TRACK_PREFIX)
    return {
        "playlists": pd.DataFrame(playlists, columns=["pid", "num_followers"]),
        "entries": entries_df.drop(columns="track_uri"),
        "features": features.set_index("track_id"),
    }


def pandas_transform(data: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Per playlist: n tracks, mean features, followers; next-track pair counts and
    shares of outgoing."""
    entries = data["entries"]
    with_features = entries.join(data["features"], on="track_id")
    aggregates = with_features.groupby("pid").agg(
        n_tracks=("track_id", "size"), **{f"mean_{f}": (f, "mean") for f in FEATURES}
    )
    aggregates = aggregates.join(data["playlists"].set_index("pid")["num_followers"])

    ordered = entries.sort_values(["pid", "pos"])
    pairs = pd.DataFrame(
        {
            "prev_track_id": ordered["track_id"],
            "next_track_id": ordered.groupby("pid")["track_id"].shift(-1),
        }
    ).dropna()
    counts = pairs.groupby(["prev_track_id", "next_track_id"]).size().rename("n_transitions")
    counts = counts.reset_index()
    outgoing = counts.groupby("prev_track_id")["n_transitions"].transform("sum")
    counts["share_of_outgoing"] = counts["n_transitions"] / outgoing
    return {"aggregates": aggregates, "pairs": counts}


def pandas_figures(result: dict[str, pd.DataFrame]) -> dict:
    """Counts and sums the marts must agree with."""
    agg, pairs = result["aggregates"], result["pairs"]
    return {
        "n_playlists": len(agg),
        "sum_n_tracks": int(agg["n_tracks"].sum()),
        "sum_followers": int(agg["num_followers"].sum()),
        "sum_mean_energy": float(agg["mean_energy"].sum()),
        "n_pairs": len(pairs),
        "sum_transitions": int(pairs["n_transitions"].sum()),
    }


def mart_figures(warehouse: Path) -> dict:
    """The same counts and sums from the marts (MPD playlists and their transitions)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("set enable_progress_bar = false")
        playlists = con.execute(
            "select count(*), sum(n_tracks), sum(n_followers), sum(mean_energy) "
            "from marts.dim_playlists where playlist_source = 'mpd'"
        ).fetchone()
        pairs = con.execute(
            "select count(*), sum(n_transitions) from marts.fct_next_track_pairs "
            "where transition_source = 'mpd_playlist'"
        ).fetchone()
    return {
        "n_playlists": playlists[0],
        "sum_n_tracks": int(playlists[1] or 0),
        "sum_followers": int(playlists[2] or 0),
        "sum_mean_energy": float(playlists[3] or 0.0),
        "n_pairs": pairs[0],
        "sum_transitions": int(pairs[1] or 0),
    }


def agreement(ours: dict, peer: dict) -> dict:
    """Which figures differ (counts exactly; the sum of means to 1e-9 relative)."""
    differ = [
        k
        for k in ours
        if not (
            math.isclose(ours[k], peer[k], rel_tol=1e-9)
            if isinstance(ours[k], float)
            else ours[k] == peer[k]
        )
    ]
    return {"agrees": not differ, "differ": differ, "ours": ours, "pandas": peer}


# --- the stage --------------------------------------------------------------------------


def run(rec: Recorder, opts: BenchOptions) -> dict:
    """dbt run of the two marts, then the pandas peer; ratios and agreement."""
    with rec.step(STAGE, "generate") as step:
        ensure_raw_data(step, opts.dirs, opts.scale, opts.seed, SOURCES)
    if opts.stop_after("generate"):
        return {}
    dirs = peer_dirs(opts)

    with rec.step(STAGE, "dbt") as step:
        base = tree_rss_bytes()
        nodes = dbt_build(step, dirs, SELECT, command="run")
        counts = count_rows(dirs.warehouse, ("marts.dim_playlists", "marts.fct_next_track_pairs"))
        step.rows = sum(counts.values())
        step.note = "rows = rows of dim_playlists + fct_next_track_pairs (every source)"
        step.details["rows"] = counts
        step.details["models"] = model_times(nodes)
    dbt_step, dbt_base = step, base
    if opts.stop_after("dbt"):
        return {}

    gc.collect()
    with rec.step(STAGE, "pandas_load") as step:
        base = tree_rss_bytes()
        data = pandas_load(dirs.raw)
        step.rows = len(data["entries"])
        step.note = "rows = MPD playlist entries"
        step.details["frames"] = {k: len(v) for k, v in data.items()}
    load_step, pandas_base = step, base
    with rec.step(STAGE, "pandas_transform") as step:
        result = pandas_transform(data)
        step.rows = len(result["aggregates"]) + len(result["pairs"])
        step.note = "rows = playlist aggregates + pairs"
    transform_step = step
    peer = pandas_figures(result)
    del data, result
    gc.collect()

    models = dbt_step.details["models"]
    load_s = sum(m["seconds"] for m in models if _is_load(m["name"]))
    transform_s = sum(m["seconds"] for m in models if not _is_load(m["name"]))
    dbt_peak = dbt_step.peak_rss_mb - dbt_base / MB
    pandas_peak = max(load_step.peak_rss_mb, transform_step.peak_rss_mb) - pandas_base / MB
    pandas_total = load_step.seconds + transform_step.seconds
    summary = summarise(
        ours={
            "load_seconds": load_s,
            "transform_seconds": transform_s,
            "end_to_end_seconds": dbt_step.seconds,
            "peak_rss_mb": dbt_peak,
        },
        pandas={
            "load_seconds": load_step.seconds,
            "transform_seconds": transform_step.seconds,
            "end_to_end_seconds": pandas_total,
            "peak_rss_mb": pandas_peak,
        },
        check=agreement(mart_figures(dirs.warehouse), peer),
    )
    summary["models"] = [
        {**m, "part": "load" if _is_load(m["name"]) else "transform"} for m in models
    ]
    rec.stages[STAGE] = summary
    rec.save()
    return summary


def _is_load(model: str) -> bool:
    return model.startswith(("base_", "stg_"))


def summarise(ours: dict, pandas: dict, check: dict) -> dict:
    """Ratios pandas / ours (above 1: ours is faster or smaller) and the targets."""
    ours = {k: round(v, 3) for k, v in ours.items()}
    pandas = {k: round(v, 3) for k, v in pandas.items()}

    def ratio(key: str) -> float | None:
        return round(pandas[key] / ours[key], 2) if ours[key] > 0 else None

    ratios = {
        "load": ratio("load_seconds"),
        "transform": ratio("transform_seconds"),
        "end_to_end": ratio("end_to_end_seconds"),
        "peak_rss": ratio("peak_rss_mb"),
    }
    return {
        "ours": ours,
        "pandas": pandas,
        "pandas_over_ours": ratios,
        "check": check,
        "targets": {
            "faster_end_to_end": (ratios["end_to_end"] or 0) > 1,
            "transform_speedup_at_least_3x": (ratios["transform"] or 0) >= TARGET_TRANSFORM_SPEEDUP,
            "lower_peak_memory": (ratios["peak_rss"] or 0) > 1,
        },
    }


def markdown(summary: dict) -> str:
    """Ours against pandas: seconds and memory, the ratios, the agreement check."""
    o, p, r = summary["ours"], summary["pandas"], summary["pandas_over_ours"]
    rows = [
        [label, f"{o[key]:,.2f}", f"{p[key]:,.2f}", "" if r[rk] is None else f"{r[rk]:,.2f}×"]
        for label, key, rk in (
            ("load s (staging models / json + frames)", "load_seconds", "load"),
            ("transform s (intermediate + marts / group-bys)", "transform_seconds", "transform"),
            ("end to end s (dbt run / load + transform)", "end_to_end_seconds", "end_to_end"),
            ("peak RSS MB above the harness", "peak_rss_mb", "peak_rss"),
        )
    ]
    t, c = summary["targets"], summary["check"]

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    check = (
        f"agree ({c['ours']['n_playlists']:,} playlists, {c['ours']['n_pairs']:,} pairs, "
        f"{c['ours']['sum_transitions']:,} transitions)"
        if c["agrees"]
        else f"DISAGREE on {', '.join(c['differ'])}"
    )
    return "\n".join(
        [
            "### pandas_peer: playlist aggregates + next-track pairs, ours vs pandas",
            "",
            markdown_table(["", "ours (dbt)", "pandas", "pandas / ours"], rows),
            "",
            f"Results {check}. Targets: faster end to end — {verdict(t['faster_end_to_end'])}; "
            f"≥ {TARGET_TRANSFORM_SPEEDUP:g}× faster transformation — "
            f"{verdict(t['transform_speedup_at_least_3x'])}; lower peak memory — "
            f"{verdict(t['lower_peak_memory'])}.",
        ]
    )
