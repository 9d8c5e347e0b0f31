"""Last.fm scrobble histories in four real export formats.

Listening is simulated per user as sessions (separated by > 30 min) placed on a daily and
weekly rhythm (morning and evening peaks, later weekends); inside a session the user
plays runs of one artist, half of them album streaks in track order. Users favour two or
three genres; about 6 % of plays are of tracks outside the Spotify catalog.

As in real exports, MBIDs are missing per entity (~15 % artists, ~20 % albums/tracks) and
~3 % of albums are missing; every row is a scrobble staging keeps (the clean demo has no
rejected row).

``dirty=True`` writes the same scrobbles in layout variants of real exports: the export
user as a pandas ``to_csv`` dump (unnamed index column, reordered and extra columns, unix
milliseconds in ``timestamp`` and ISO text in ``datetime``), the header-less user with
day-first spreadsheet dates (``DD/MM/YYYY HH:MM``), both CSVs with a BOM and CRLF, and the
getRecentTracks pages pretty-printed. It also writes the dirt real exports carry, which
staging rejects: ~1 % exact duplicate rows (``add_dirt``), a few now-playing rows stamped
1970-01-01 (``uts`` 0) in the CSV exports, and the now-playing track on the first
getRecentTracks page.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote_plus

import numpy as np
import pandas as pd
import pyarrow as pa
from tqdm import tqdm

from models_py.generate.catalog import GENRES, Catalog
from models_py.generate.ids import sub_rng, weighted_pick_within
from models_py.generate.writers import (
    arrow_csv_bytes,
    pandas_export_bytes,
    reordered,
    with_bom,
    write_bytes,
)

DAY = 86400
GAP_S = 31 * 60
OFFCATALOG_SHARE = 0.06
PER_PAGE = 200
# dirty=True: rows stamped uts 0 (a client's now-playing row) per CSV layout; add_dirt
DIRT_NOW_PLAYING = {"export_csv": 3, "benjamin_csv": 2, "lastfm1k": 0}


@dataclass(frozen=True)
class LastfmUser:
    """One simulated listener: name, export format, last day, favourite genres."""

    name: str
    fmt: str  # "export_csv" | "benjamin_csv" | "lastfm1k" | "recenttracks"
    end_uts: int
    favourite_genres: tuple[str, ...]
    n_scrobbles: int


def users_for(scale: float) -> list[LastfmUser]:
    """The users of a run: A (export CSV), B (header-less CSV), C… (1K TSV), D (API JSON)."""
    n = max(200, round(15000 * min(scale, 1.0)))
    users = [
        LastfmUser("alexrivers", "export_csv", 1720688852, ("Indie", "Rock", "Folk"), n),
        LastfmUser("bea_listens", "benjamin_csv", 1612116300, ("Pop", "R&B", "Hip-Hop"), n),
    ]
    genre_cycle = [("Electronic", "Jazz"), ("Metal", "Rock"), ("Latin", "Pop"), ("Country",)]
    for k in range(max(1, round(scale))):
        users.append(
            LastfmUser(
                f"user_{42 + k:06d}",
                "lastfm1k",
                1241478537 - (k % 5) * 3 * DAY,
                genre_cycle[k % len(genre_cycle)],
                round(n * (0.9 + 0.2 * ((k * 7919) % 11) / 10)),
            )
        )
    users.append(
        LastfmUser(
            "dmitri_k", "recenttracks", 1732980000, ("Classical", "Jazz", "Electronic"), n // 7
        )
    )
    return users


def _hour_weights(weekend: bool) -> np.ndarray:
    h = np.arange(24)
    if weekend:
        w = 0.08 + 0.7 * np.exp(-((h - 13) ** 2) / 8) + 1.2 * np.exp(-((h - 21) ** 2) / 6)
        w[:3] += 0.25
    else:
        w = (
            0.05
            + 0.6 * np.exp(-((h - 8) ** 2) / 2)
            + 0.3 * np.exp(-((h - 13) ** 2) / 2)
            + 1.4 * np.exp(-((h - 20) ** 2) / 5)
        )
    w[2:6] *= 0.15
    return w / w.sum()


def simulate_user(cat: Catalog, user: LastfmUser, seed: int) -> pd.DataFrame:
    """Scrobbles of one user, newest first: columns ``uts`` and ``track`` (catalog row)."""
    rng = sub_rng(seed, "lastfm_" + user.name)
    tr = cat.tracks
    n = user.n_scrobbles
    in_cat = cat.artists["artist_uri"].to_numpy() != ""
    a_genre = cat.artists["genre_idx"].to_numpy()
    genre_pref = np.full(len(GENRES), 0.02)
    for w, g in zip((0.6, 0.3, 0.1), user.favourite_genres, strict=False):
        genre_pref[GENRES.index(g)] += w
    pa_ = cat.artists["weight"].to_numpy() ** 0.6 * rng.lognormal(0, 1.0, len(a_genre))
    pa_ = np.where(in_cat, pa_, 0.0) * genre_pref[a_genre]
    pa_ = pa_ / pa_.sum() * (1 - OFFCATALOG_SHARE)
    off = ~in_cat
    pa_[off] = OFFCATALOG_SHARE * rng.dirichlet(np.ones(off.sum()))

    # runs of one artist: album streaks in track order, or the artist's tracks shuffled
    run_len = rng.geometric(0.25, size=n)
    run_len = run_len[: np.searchsorted(np.cumsum(run_len), n) + 1]
    run_len[-1] -= run_len.sum() - n
    n_runs = len(run_len)
    run_artist = rng.choice(len(pa_), size=n_runs, p=pa_)
    run_streak = rng.random(n_runs) < 0.5
    album_artist = cat.albums["artist_idx"].to_numpy()
    run_album = weighted_pick_within(rng, run_artist, album_artist, np.ones(len(album_artist)))
    t_album = tr["album_idx"].to_numpy()
    alb_start = np.searchsorted(t_album, np.arange(len(album_artist)))
    alb_count = np.bincount(t_album, minlength=len(album_artist))
    run_of = np.repeat(np.arange(n_runs), run_len)
    k_in_run = np.arange(n) - np.repeat(np.cumsum(run_len) - run_len, run_len)
    offset = rng.integers(0, 1 << 30, n_runs)
    b = run_album[run_of]
    streak_track = alb_start[b] + (offset[run_of] + k_in_run) % alb_count[b]
    w_pick = np.where(tr["in_catalog"].to_numpy(), tr["weight"].to_numpy(), 1e-4)
    shuffle_track = weighted_pick_within(
        rng, run_artist[run_of], tr["artist_idx"].to_numpy(), w_pick
    )
    track = np.where(run_streak[run_of], streak_track, shuffle_track)

    # listening sessions on a daily/weekly rhythm, > 30 min apart
    s_len = rng.geometric(1 / 14, size=n)
    s_len = s_len[: np.searchsorted(np.cumsum(s_len), n) + 1]
    s_len[-1] -= s_len.sum() - n
    n_s = len(s_len)
    days = 730
    start_day = user.end_uts // DAY - days
    day = np.sort(rng.integers(0, days, n_s))
    weekend = ((start_day + day + 3) % 7) >= 5  # 1970-01-01 was a Thursday
    hour = np.where(
        weekend,
        rng.choice(24, size=n_s, p=_hour_weights(True)),
        rng.choice(24, size=n_s, p=_hour_weights(False)),
    )
    start = (start_day + day) * DAY + hour * 3600 + rng.integers(0, 3600, n_s)
    order = np.argsort(start, kind="stable")
    start = start[order]
    played = tr["duration_ms"].to_numpy()[track] / 1000.0
    played = np.where(rng.random(n) < 0.12, played * rng.uniform(0.3, 0.7, n), played)
    played = np.round(played).astype(np.int64) + rng.integers(0, 4, n)
    s_of = np.repeat(np.arange(n_s), s_len)
    within = np.cumsum(played) - played
    s_first = np.cumsum(s_len) - s_len
    within = within - within[s_first][s_of]
    s_dur = np.add.reduceat(played, s_first)
    # push sessions so each starts > 30 min after the previous one ends (running max)
    d_before = np.r_[0, np.cumsum(s_dur + GAP_S)[:-1]]
    start = d_before + np.maximum.accumulate(start - d_before)
    uts = start[s_of] + within
    df = pd.DataFrame({"uts": uts, "track": track})
    return df.iloc[::-1].reset_index(drop=True)


def add_dirt(df: pd.DataFrame, rng: np.random.Generator, now_playing: int) -> pd.DataFrame:
    """~1 % adjacent exact duplicates, plus ``now_playing`` rows stamped uts 0."""
    n = len(df)
    reps = np.where(rng.random(n) < 0.01, 2, 1)
    out = df.loc[np.repeat(np.arange(n), reps)].reset_index(drop=True)
    if now_playing:
        at = np.sort(rng.integers(0, len(out), now_playing))
        ghost = out.loc[at].copy()
        ghost["uts"] = 0
        ghost.index = at - 0.5
        out = pd.concat([out, ghost]).sort_index(kind="stable").reset_index(drop=True)
    return out


def _names(cat: Catalog, track: np.ndarray) -> dict[str, np.ndarray]:
    tr, ar, al = cat.tracks, cat.artists, cat.albums
    a = tr["artist_idx"].to_numpy()[track]
    b = tr["album_idx"].to_numpy()[track]
    missing_album = al["lastfm_missing"].to_numpy()[b]
    empty = np.array("", dtype=object)
    return {
        "artist": ar["artist_name"].to_numpy()[a],
        "artist_mbid": np.where(ar["has_mbid"].to_numpy()[a], ar["mbid"].to_numpy()[a], empty),
        "album": np.where(missing_album, empty, al["album_name"].to_numpy()[b]),
        "album_mbid": np.where(
            al["has_mbid"].to_numpy()[b] & ~missing_album, al["mbid"].to_numpy()[b], empty
        ),
        "track": tr["track_name"].to_numpy()[track],
        "track_mbid": np.where(
            tr["has_mbid"].to_numpy()[track], tr["mbid"].to_numpy()[track], empty
        ),
    }


def _fmt_time(uts: np.ndarray, fmt: str) -> np.ndarray:
    return pd.to_datetime(uts, unit="s").strftime(fmt).to_numpy(dtype=object)


def _write_export_csv(
    root: Path, cat: Catalog, user: LastfmUser, df: pd.DataFrame, dirty: bool
) -> None:
    """User A's layout: a quoted CSV export with mbids and both time columns."""
    nm = _names(cat, df["track"].to_numpy())
    uts = df["uts"].to_numpy()
    if dirty:
        data = _pandas_export(nm, uts)
    else:
        table = pa.table(
            {
                "uts": uts.astype(str),
                "utc_time": _fmt_time(uts, "%d %b %Y, %H:%M"),
                **{k: nm[k] for k in ("artist", "artist_mbid", "album", "album_mbid")},
                "track": nm["track"],
                "track_mbid": nm["track_mbid"],
            }
        )
        data = arrow_csv_bytes(table, quote_all=True, eol="\r\n")
    write_bytes(root / f"{user.name}_scrobbles.csv", data)


def _write_benjamin_csv(
    root: Path, cat: Catalog, user: LastfmUser, df: pd.DataFrame, dirty: bool
) -> None:
    """User B's layout: artist, album, track, date; no header."""
    nm = _names(cat, df["track"].to_numpy())
    # dirty: a spreadsheet's day-first dates (two years of plays: days above 12)
    date_fmt = "%d/%m/%Y %H:%M" if dirty else "%d %b %Y %H:%M"
    dates = _fmt_time(df["uts"].to_numpy(), date_fmt)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n" if dirty else "\n")
    w.writerows(zip(nm["artist"], nm["album"], nm["track"], dates, strict=True))
    data = buf.getvalue().encode("utf-8")
    write_bytes(root / f"{user.name}.csv", with_bom(data) if dirty else data)


def _append_lastfm1k(tsv_path: Path, cat: Catalog, user: LastfmUser, df: pd.DataFrame) -> None:
    """Last.fm-1K: one TSV for all its users, appended user by user."""
    nm = _names(cat, df["track"].to_numpy())
    cols = [
        np.full(len(df), user.name, dtype=object),
        _fmt_time(df["uts"].to_numpy(), "%Y-%m-%dT%H:%M:%SZ"),
        nm["artist_mbid"],
        nm["artist"],
        nm["track_mbid"],
        nm["track"],
    ]
    lines = cols[0]
    for c in cols[1:]:
        lines = lines + "\t" + c
    with open(tsv_path, "ab") as fh:
        fh.write(("\n".join(lines) + "\n").encode("utf-8"))


def write_lastfm(
    out_dir: Path,
    cat: Catalog,
    seed: int,
    scale: float,
    progress: bool = True,
    write: bool = True,
    dirty: bool = False,
) -> tuple[dict, np.ndarray]:
    """Write ``lastfm/`` files; return counts and per-track scrobble counts.

    ``write=False`` simulates the listening (the same draws) but writes nothing and returns
    no counts: only the per-track scrobble counts. ``dirty=True`` writes the same rows in
    the variant layouts (module docstring), under the same file names, plus the dirt
    staging rejects (duplicates, 1970 stamps, now-playing rows).
    """
    root = out_dir / "lastfm"
    tsv_path = root / "lastfm1k_demo.tsv"
    if write:
        root.mkdir(parents=True, exist_ok=True)
        tsv_path.unlink(missing_ok=True)
    usage = np.zeros(len(cat.tracks), dtype=np.int64)
    counts: dict[str, int] = {}
    users = users_for(scale)
    desc = "lastfm" if write else "lastfm (draws only)"
    for user in tqdm(users, desc=desc, unit="user", disable=not progress):
        df = simulate_user(cat, user, seed)
        usage += np.bincount(df["track"].to_numpy(), minlength=len(cat.tracks))
        if not write:
            continue
        rng = sub_rng(seed, "lastfm_dirt_" + user.name)
        if dirty and user.fmt in DIRT_NOW_PLAYING:
            df = add_dirt(df, rng, now_playing=DIRT_NOW_PLAYING[user.fmt])
        if user.fmt == "export_csv":
            _write_export_csv(root, cat, user, df, dirty)
        elif user.fmt == "benjamin_csv":
            _write_benjamin_csv(root, cat, user, df, dirty)
        elif user.fmt == "lastfm1k":
            _append_lastfm1k(tsv_path, cat, user, df)
        else:
            _write_recenttracks(root, cat, user, df, rng, dirty=dirty)
        counts[f"lastfm_rows_{user.name}"] = len(df)
    if not write:
        return {}, usage
    return {"lastfm_users": len(users), **counts}, usage


def _pandas_export(nm: dict[str, np.ndarray], uts: np.ndarray) -> bytes:
    """The export user's scrobbles as a pandas ``to_csv`` dump of an API download: unnamed
    index column, the columns in another order, a track URL, unix milliseconds in
    ``timestamp`` and ISO text in ``datetime``; BOM and CRLF."""
    frame = pd.DataFrame(
        {
            "timestamp": uts * 1000,
            "datetime": _fmt_time(uts, "%Y-%m-%d %H:%M:%S"),
            **{k: nm[k] for k in ("artist", "artist_mbid", "album", "album_mbid")},
            "track": nm["track"],
            "track_mbid": nm["track_mbid"],
        }
    )
    frame = frame[reordered(list(frame.columns))]
    frame["url"] = [
        f"https://www.last.fm/music/{quote_plus(a)}/_/{quote_plus(t)}"
        for a, t in zip(nm["artist"], nm["track"], strict=True)
    ]
    return pandas_export_bytes(frame)


def _write_recenttracks(
    root: Path,
    cat: Catalog,
    user: LastfmUser,
    df: pd.DataFrame,
    rng: np.random.Generator,
    dirty: bool = False,
) -> None:
    """user.getRecentTracks JSON pages (200 scrobbles per page); ``dirty`` adds the track
    playing at download time on page 1 (not a scrobble) and indents the pages as a
    browser's "save as" does."""
    playing = int(rng.integers(0, len(cat.tracks)))  # drawn on both layouts
    head = 1 if dirty else 0  # items before the first scrobble: the now-playing track
    tracks = np.r_[[playing][:head], df["track"].to_numpy()].astype(np.int64)
    uts = np.r_[[-1][:head], df["uts"].to_numpy()].astype(np.int64)
    nm = _names(cat, tracks)
    texts = _fmt_time(np.maximum(uts, 0), "%d %b %Y, %H:%M")
    total = len(df)
    pages = max(1, -(-total // PER_PAGE))
    for page in range(1, pages + 1):
        lo = 0 if page == 1 else head + (page - 1) * PER_PAGE
        hi = head + page * PER_PAGE
        items = []
        for i in range(lo, min(hi, len(tracks))):
            item = {
                "artist": {"mbid": nm["artist_mbid"][i], "#text": nm["artist"][i]},
                "streamable": "0",
                "image": [],
                "mbid": nm["track_mbid"][i],
                "album": {"mbid": nm["album_mbid"][i], "#text": nm["album"][i]},
                "name": nm["track"][i],
                "url": "https://www.last.fm/music/"
                + quote_plus(nm["artist"][i])
                + "/_/"
                + quote_plus(nm["track"][i]),
            }
            if i < head:
                item["@attr"] = {"nowplaying": "true"}
            else:
                item["date"] = {"uts": str(int(uts[i])), "#text": texts[i]}
            items.append(item)
        doc = {
            "recenttracks": {
                "track": items,
                "@attr": {
                    "user": user.name,
                    "totalPages": str(pages),
                    "page": str(page),
                    "perPage": str(PER_PAGE),
                    "total": str(total),
                },
            }
        }
        if dirty:
            text = json.dumps(doc, ensure_ascii=False, indent=2)
        else:
            text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        write_bytes(root / f"{user.name}_recenttracks_page{page}.json", text.encode("utf-8"))
