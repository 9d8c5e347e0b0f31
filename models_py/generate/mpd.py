"""Million Playlist Dataset look-alike slices drawn from the catalog.

A playlist has one or two main genres and a handful of favourite artists; its tracks
come from those artists, from its genres (popularity-weighted, so Zipf-like) and a few
from anywhere. Lengths follow the MPD shape: 5–250 tracks, mean ≈ 66, median ≈ 49.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from tqdm import tqdm

from models_py.generate.catalog import GENRE_SHARE, GENRES, Catalog
from models_py.generate.ids import sub_rng, weighted_pick_within
from models_py.generate.names import GENERIC_PLAYLIST, GENRE_PLAYLIST_WORDS
from models_py.generate.writers import write_bytes

SLICE_SIZE = 1000
GENERATED_ON = "2017-12-03 08:41:42.057563"
MIN_TRACKS, MAX_TRACKS = 5, 250
LOG_MU, LOG_SIGMA = np.log(52.0), 0.86
N_FAV = 4


def playlist_lengths(rng: np.random.Generator, n: int) -> np.ndarray:
    """Lognormal lengths truncated to 5–250 by rejection (mean ≈ 66, median ≈ 49)."""
    out = np.empty(0, dtype=np.int64)
    while len(out) < n:
        x = np.round(rng.lognormal(LOG_MU, LOG_SIGMA, 2 * n)).astype(np.int64)
        out = np.concatenate([out, x[(x >= MIN_TRACKS) & (x <= MAX_TRACKS)]])
    return out[:n]


def _slice_entries(
    rng: np.random.Generator, cat: Catalog, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Track index of every entry, the playlist of every entry, and each playlist's genre."""
    tr = cat.tracks
    t_artist = tr["artist_idx"].to_numpy()
    t_genre = tr["genre_idx"].to_numpy()
    t_w = tr["weight"].to_numpy()
    a_genre = cat.artists["genre_idx"].to_numpy()
    a_w = cat.artists["weight"].to_numpy()
    share = GENRE_SHARE / GENRE_SHARE.sum()

    lengths = playlist_lengths(rng, n)
    g1 = rng.choice(len(GENRES), size=n, p=share)
    g2 = np.where(rng.random(n) < 0.4, rng.choice(len(GENRES), size=n, p=share), g1)
    fav = weighted_pick_within(rng, np.repeat(g1, N_FAV), a_genre, a_w).reshape(n, N_FAV)

    owner = np.repeat(np.arange(n), lengths)
    m = len(owner)
    src = rng.choice(3, size=m, p=[0.35, 0.5, 0.15])
    genre = np.where(rng.random(m) < 0.7, g1[owner], g2[owner])
    fav_pick = fav[owner, rng.integers(0, N_FAV, m)]
    by_artist = weighted_pick_within(rng, fav_pick, t_artist, t_w)
    by_genre = weighted_pick_within(rng, genre, t_genre, t_w)
    anywhere = rng.choice(len(t_w), size=m, p=t_w)
    entry = np.select([src == 0, src == 1], [by_artist, by_genre], anywhere)

    # a track repeats only rarely: redraw duplicates (flatter weights, then anywhere)
    for round_ in range(8):
        key = owner.astype(np.int64) * len(t_w) + entry
        order = np.argsort(key, kind="stable")
        dup = np.zeros(m, dtype=bool)
        dup[order[1:]] = key[order[1:]] == key[order[:-1]]
        redraw = dup & (rng.random(m) < 0.9)
        if not redraw.any():
            break
        if round_ < 3:
            entry[redraw] = weighted_pick_within(rng, genre[redraw], t_genre, t_w**0.7)
        else:
            entry[redraw] = rng.integers(0, len(t_w), int(redraw.sum()))

    # ≥ 3 artists and ≥ 2 albums per playlist (rare fix-ups, small loop)
    starts = np.r_[0, np.cumsum(lengths)[:-1]]
    for _ in range(50):
        bad = _too_narrow(entry, owner, n, t_artist, tr["album_idx"].to_numpy())
        if not bad.any():
            break
        for pid in np.flatnonzero(bad):
            k = int(rng.integers(0, lengths[pid]))
            entry[starts[pid] + k] = rng.choice(len(t_w), p=t_w)
    return entry, owner, g1


def _too_narrow(
    entry: np.ndarray, owner: np.ndarray, n: int, t_artist: np.ndarray, t_album: np.ndarray
) -> np.ndarray:
    def n_distinct(values: np.ndarray) -> np.ndarray:
        pairs = np.unique(owner.astype(np.int64) * (values.max() + 1) + values)
        return np.bincount(pairs // (values.max() + 1), minlength=n)

    return (n_distinct(t_artist[entry]) < 3) | (n_distinct(t_album[entry]) < 2)


def write_mpd(
    out_dir: Path,
    cat: Catalog,
    seed: int,
    scale: float,
    progress: bool = True,
    write: bool = True,
) -> tuple[dict, np.ndarray]:
    """Write ``mpd/mpd.slice.<a>-<b>.json`` files; return counts and per-track entry counts.

    ``write=False`` draws the playlists' tracks (the same draws) but formats and writes
    nothing: only the counts and the per-track usage are returned.
    """
    n_total = max(50, round(2000 * scale))
    n_slices = -(-n_total // SLICE_SIZE)
    tr = cat.tracks
    cols = {
        c: tr[c].to_numpy()
        for c in ("track_uri", "track_name", "duration_ms", "artist_idx", "album_idx")
    }
    a_name = cat.artists["artist_name"].to_numpy()
    a_uri = cat.artists["artist_uri"].to_numpy()
    b_name = cat.albums["album_name"].to_numpy()
    b_uri = cat.albums["album_uri"].to_numpy()
    usage = np.zeros(len(tr), dtype=np.int64)
    lengths_all: list[np.ndarray] = []
    desc = "mpd" if write else "mpd (draws only)"
    for s in tqdm(range(n_slices), desc=desc, unit="slice", disable=not progress):
        rng = sub_rng(seed, "mpd", s)
        n = min(SLICE_SIZE, n_total - s * SLICE_SIZE)
        entry, owner, g1 = _slice_entries(rng, cat, n)
        usage += np.bincount(entry, minlength=len(tr))
        lengths = np.bincount(owner, minlength=n)
        lengths_all.append(lengths)
        if not write:
            continue
        starts = np.r_[0, np.cumsum(lengths)]
        followers = 1 + np.floor(rng.pareto(1.6, n) * 0.8).astype(int)
        edits = 1 + rng.poisson(2 + lengths / 8)
        modified = 1293840000 + rng.integers(0, 2496, n) * 86400  # 2011-01-01 + days
        collab = rng.random(n) < 0.02
        has_desc = rng.random(n) < 0.02
        name_src = rng.random(n)
        playlists = []
        for i in range(n):
            pid = s * SLICE_SIZE + i
            e = entry[starts[i] : starts[i + 1]]
            art = cols["artist_idx"][e]
            alb = cols["album_idx"][e]
            genre_words = GENRE_PLAYLIST_WORDS[GENRES[g1[i]]]
            if name_src[i] < 0.6:
                name = genre_words[int(rng.integers(0, len(genre_words)))]
            else:
                name = GENERIC_PLAYLIST[int(rng.integers(0, len(GENERIC_PLAYLIST)))]
            tracks = [
                {
                    "pos": k,
                    "artist_name": a_name[art[k]],
                    "track_uri": cols["track_uri"][t],
                    "artist_uri": a_uri[art[k]],
                    "track_name": cols["track_name"][t],
                    "album_uri": b_uri[alb[k]],
                    "duration_ms": int(cols["duration_ms"][t]),
                    "album_name": b_name[alb[k]],
                }
                for k, t in enumerate(e.tolist())
            ]
            pl = {
                "name": name,
                "collaborative": "true" if collab[i] else "false",
                "pid": pid,
                "modified_at": int(modified[i]),
                "num_tracks": len(e),
                "num_albums": len(set(alb.tolist())),
                "num_followers": int(followers[i]),
                "tracks": tracks,
                "num_edits": int(edits[i]),
                "duration_ms": int(cols["duration_ms"][e].sum()),
                "num_artists": len(set(art.tolist())),
            }
            if has_desc[i]:
                pl["description"] = f"my {name.strip().lower()} songs"
            playlists.append(pl)
        a, b = s * SLICE_SIZE, s * SLICE_SIZE + SLICE_SIZE - 1
        doc = {
            "info": {"generated_on": GENERATED_ON, "slice": f"{a}-{b}", "version": "v1"},
            "playlists": playlists,
        }
        text = json.dumps(doc, indent=4, separators=(", ", ": "), ensure_ascii=True)
        write_bytes(out_dir / "mpd" / f"mpd.slice.{a}-{b}.json", text.encode("ascii"))
    lengths = np.concatenate(lengths_all)
    return (
        {
            "mpd_playlists": n_total,
            "mpd_slices": n_slices,
            "mpd_entries": int(lengths.sum()),
            "mpd_mean_tracks": float(lengths.mean()),
            "mpd_median_tracks": float(np.median(lengths)),
        },
        usage,
    )
