"""Seeded demo raw-data generator: every source of the warehouse, from one catalog.

``generate(out_dir, scale, seed)`` writes, under ``out_dir``::

    mssd/training_set/log_<k>_<yyyymmdd>_000000000000.csv[.gz]   session logs (last one .gz)
    mssd/track_features/tf_000000000000.csv                      MSSD track features
    mssd/_oracle/skip_oracle.csv                                  true P(skip_2) of 2nd halves
    mpd/mpd.slice.<a>-<b>.json                                    Million Playlist Dataset slices
    lastfm/<user>_scrobbles.csv                                   Last.fm export (quoted, CRLF)
    lastfm/<user>.csv                                             no header: artist,album,track,date
    lastfm/lastfm1k_demo.tsv                                      Last.fm-1K TSV (one or more users)
    lastfm/<user>_recenttracks_page<N>.json                       user.getRecentTracks pages
    spotify/playlists/<slug>_playlist_tracks.json                 the user's 6 playlists (Web API)
    spotify/audio_features/<slug>_track_<id>.json                 one audio-features object each
    spotify/audio_features/audio_features_<n>.json                batches of ≤ 100 objects
    spotify/audio_features/audio_features.csv                     the rest of the catalog
    spotify/tracks_by_genre/SpotifyFeatures.csv                   Kaggle "tracks by genre" layout
    spotify/uri_matches.csv                                       scrobbled (artist, track) → URI

Same ``seed`` and ``scale`` give byte-identical files (no wall-clock time anywhere, gzip
mtime 0). Each source uses its own random stream, and big sources are written file by
file, so memory stays flat as ``scale`` grows.

``dirty=True`` writes the same data (same seed: the same scrobbles, sessions, playlists
and features, under the same file names) with every file in a layout variant real exports
come in: pandas ``to_csv`` dumps with an unnamed index column, reordered and extra columns,
unix milliseconds, day-first spreadsheet dates, BOM and CRLF (each module says which),
plus the dirt real data carries: repeated scrobbles, scrobbles stamped 1970, now-playing
rows and audio features delivered twice. A warehouse stages it as its clean twin and
rejects exactly that dirt; the clean demo has no rejected row.

``only`` writes a subset of the sources (``SOURCES``), each byte-identical to its files in
a full run: which catalog tracks get Spotify audio features and URI matches depends on the
MPD and Last.fm draws, so writing ``spotify`` still draws those (without formatting or
writing them — the cheap part of the cost). The playlist-continuation benchmark uses
``only={"mpd", "spotify"}``: the session logs and scrobbles are most of the time and disk
of a large scale and nothing it builds reads them.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from models_py.generate.catalog import build_catalog, extend_offcatalog
from models_py.generate.lastfm import write_lastfm
from models_py.generate.mpd import write_mpd
from models_py.generate.mssd import write_mssd
from models_py.generate.spotify import write_spotify

__all__ = ["SOURCES", "generate", "parse_sources"]

SOURCES: tuple[str, ...] = ("mpd", "lastfm", "spotify", "mssd")


def parse_sources(only: str | Iterable[str] | None) -> tuple[str, ...]:
    """The sources to write, in ``SOURCES`` order: all of them for None, else the named ones
    (an iterable or a comma-separated string such as ``"mpd,spotify"``)."""
    if only is None:
        return SOURCES
    names = only.split(",") if isinstance(only, str) else list(only)
    names = [n.strip() for n in names if n.strip()]
    unknown = sorted(set(names) - set(SOURCES))
    if unknown or not names:
        what = f"unknown source(s) {', '.join(unknown)}" if unknown else "no source given"
        raise ValueError(f"{what}; choose from {', '.join(SOURCES)}")
    return tuple(s for s in SOURCES if s in names)


def generate(
    out_dir: Path,
    scale: float = 1.0,
    seed: int = 42,
    progress: bool = True,
    only: str | Iterable[str] | None = None,
    dirty: bool = False,
) -> dict:
    """Write the demo raw data under ``out_dir`` and return a summary.

    The summary holds ``sources`` (those written), row/file counts per written source and
    the realism figures: ``skip_2_rate``, ``maa_repeat_last`` (repeat the last first-half
    skip), ``maa_oracle``, ``maa_random``, ``maa_all_skip`` and the MPD ``mpd_mean_tracks``
    / ``mpd_median_tracks``, plus ``seconds`` (wall time of the run; not written to any
    file). ``only`` limits the sources written and ``dirty`` writes the layout variants
    (see the module docstring).
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    sources = parse_sources(only)
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    catalog = build_catalog(seed, scale)
    n_catalog = len(catalog.tracks)
    summary: dict = {
        "seed": seed,
        "scale": scale,
        "layout": "dirty" if dirty else "clean",
        "sources": list(sources),
        "catalog_tracks": n_catalog,
        "catalog_artists": len(catalog.artists),
        "catalog_albums": len(catalog.albums),
    }
    # spotify's files depend on which tracks the playlists and scrobbles use
    needs_usage = "spotify" in sources
    if "mpd" in sources or needs_usage:
        mpd_summary, mpd_usage = write_mpd(
            out_dir, catalog, seed, scale, progress, write="mpd" in sources
        )
        if "mpd" in sources:
            summary.update(mpd_summary)
    if "lastfm" in sources or needs_usage:
        extended = extend_offcatalog(catalog, seed, scale)
        lastfm_summary, scrobble_usage = write_lastfm(
            out_dir, extended, seed, scale, progress, write="lastfm" in sources, dirty=dirty
        )
        summary.update(lastfm_summary)
    if needs_usage:
        used = np.r_[mpd_usage, np.zeros(len(extended.tracks) - n_catalog, dtype=np.int64)]
        used = (used + scrobble_usage) > 0
        summary.update(
            write_spotify(out_dir, extended, seed, used, scrobble_usage > 0, progress, dirty=dirty)
        )
    if "mssd" in sources:
        summary.update(write_mssd(out_dir, seed, scale, progress, dirty=dirty))
    summary["seconds"] = round(time.perf_counter() - t0, 2)
    _log_generation(out_dir, sources, scale, seed, dirty)
    return summary


def _log_generation(out_dir: Path, sources: tuple, scale: float, seed: int, dirty: bool) -> None:
    """With ``LW_GENERATION_LOG=<file>``, append one JSON line per generated dataset (the
    test suite sets it, to check that no demo dataset is generated twice in one session)."""
    log = os.environ.get("LW_GENERATION_LOG")
    if not log:
        return
    entry = {"scale": scale, "seed": seed, "sources": list(sources), "dirty": dirty}
    with open(log, "a") as handle:  # one short line per write: appends do not interleave
        handle.write(json.dumps({**entry, "out_dir": str(out_dir)}, sort_keys=True) + "\n")
