"""Spotify Web API and Kaggle-style files: the user's playlists, audio features in three
shapes, the tracks-by-genre CSV and the scrobble → URI match table.

Each track's audio features are in exactly one file (a single object, a page or the CSV).

``dirty=True`` writes the same rows with every CSV as a pandas export saved on Windows
(an unnamed index column, the columns in another order, BOM, CRLF) and the playlist pages
as compact JSON instead of the API's pretty-printing. It also delivers some tracks'
features twice, as collected data does (staging keeps one, the others are duplicates):
single-object tracks again in a page, and a few tracks of the JSON files again in the
CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from models_py.generate.catalog import GENRES, KEY_NAMES, Catalog
from models_py.generate.ids import HEX, base62_ids, sub_rng
from models_py.generate.names import slugify
from models_py.generate.writers import (
    RawNumber,
    jackson_dumps,
    pandas_export_bytes,
    reordered,
    write_bytes,
)

OWN_PLAYLIST_GENRES = ("Indie", "Rock", "Folk", "Pop", "Electronic", "Hip-Hop")
SINGLE_FILE_PLAYLIST = "Indie"
MARKETS = ["AD", "AR", "AT", "AU", "BE", "BR", "CA", "CH", "DE", "DK", "ES", "FI", "FR", "GB"]
MARKETS += ["IE", "IT", "JP", "MX", "NL", "NO", "NZ", "PL", "PT", "SE", "US"]
AF_FIELDS = (
    "danceability",
    "energy",
    "key",
    "loudness",
    "mode",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
    "tempo",
    "type",
    "id",
    "uri",
    "track_href",
    "analysis_url",
    "duration_ms",
    "time_signature",
)
SF_FIELDS = [
    "genre",
    "artist_name",
    "track_name",
    "track_id",
    "popularity",
    "acousticness",
    "danceability",
    "duration_ms",
    "energy",
    "instrumentalness",
    "key",
    "liveness",
    "loudness",
    "mode",
    "speechiness",
    "tempo",
    "time_signature",
    "valence",
]
BATCH = 100


def _hexes(rng: np.random.Generator, n: int, length: int) -> list[str]:
    codes = HEX[rng.integers(0, 16, size=(n, length))]
    return np.ascontiguousarray(codes).view(f"S{length}").ravel().astype(str).tolist()


def audio_features_object(row: pd.Series) -> dict:
    """One Web API audio-features object (key order of the real responses)."""
    tid = row["track_id"]
    return {
        "danceability": float(row["danceability"]),
        "energy": float(row["energy"]),
        "key": int(row["key"]),
        "loudness": RawNumber(f"{row['loudness']:.3f}"),
        "mode": int(row["mode"]),
        "speechiness": float(row["speechiness"]),
        "acousticness": float(row["acousticness"]),
        "instrumentalness": float(row["instrumentalness"]),
        "liveness": float(row["liveness"]),
        "valence": float(row["valence"]),
        "tempo": float(row["tempo"]),
        "type": "audio_features",
        "id": tid,
        "uri": f"spotify:track:{tid}",
        "track_href": f"https://api.spotify.com/v1/tracks/{tid}",
        "analysis_url": f"https://api.spotify.com/v1/audio-analysis/{tid}",
        "duration_ms": int(row["duration_ms"]),
        "time_signature": int(row["time_signature"]),
    }


def _artist_obj(aid: str, name: str) -> dict:
    return {
        "external_urls": {"spotify": f"https://open.spotify.com/artist/{aid}"},
        "href": f"https://api.spotify.com/v1/artists/{aid}",
        "id": aid,
        "name": name,
        "type": "artist",
        "uri": f"spotify:artist:{aid}",
    }


def own_playlists(cat: Catalog, seed: int) -> dict[str, np.ndarray]:
    """The user's 6 genre playlists: name → catalog track rows (30–80, mostly one genre)."""
    rng = sub_rng(seed, "own_playlists")
    tr = cat.tracks[cat.tracks["in_catalog"]]
    w = np.sqrt(tr["weight"].to_numpy())
    genre = tr["genre_idx"].to_numpy()
    out = {}
    for g in OWN_PLAYLIST_GENRES:
        n = int(rng.integers(30, 81))
        n_main = int(round(n * rng.uniform(0.8, 0.92)))
        gi = GENRES.index(g)
        main = np.flatnonzero(genre == gi)
        other = np.flatnonzero(np.isin(genre, [GENRES.index(x) for x in OWN_PLAYLIST_GENRES]))
        other = other[genre[other] != gi]
        pick_main = rng.choice(
            main, size=min(n_main, len(main)), replace=False, p=w[main] / w[main].sum()
        )
        pick_other = rng.choice(
            other, size=n - len(pick_main), replace=False, p=w[other] / w[other].sum()
        )
        rows = np.concatenate([pick_main, pick_other])
        out[g] = rng.permutation(rows)
    return out


def playlist_page(cat: Catalog, rows: np.ndarray, rng: np.random.Generator) -> dict:
    """A Web API playlist-tracks page (``limit`` 100, no playlist name inside)."""
    tr, ar, al = cat.tracks, cat.artists, cat.albums
    pid = base62_ids(rng, 1)[0]
    images = _hexes(rng, 3 * len(rows), 40)
    isrc = rng.integers(10**9, 10**10, len(rows))
    added = pd.to_datetime(
        1546300800 + np.sort(rng.integers(0, 4 * 365 * 86400, len(rows))), unit="s"
    ).strftime("%Y-%m-%dT%H:%M:%SZ")
    colors = _hexes(rng, len(rows), 6)
    items = []
    for k, r in enumerate(rows.tolist()):
        t = tr.iloc[r]
        a = ar.iloc[int(t["artist_idx"])]
        b = al.iloc[int(t["album_idx"])]
        artists = [_artist_obj(a["artist_id"], a["artist_name"])]
        n_album_tracks = int((tr["album_idx"] == t["album_idx"]).sum())
        album = {
            "album_type": "single" if n_album_tracks < 3 else "album",
            "artists": artists,
            "available_markets": MARKETS,
            "external_urls": {"spotify": f"https://open.spotify.com/album/{b['album_id']}"},
            "href": f"https://api.spotify.com/v1/albums/{b['album_id']}",
            "id": b["album_id"],
            "images": [
                {"height": h, "url": f"https://i.scdn.co/image/{images[3 * k + j]}", "width": h}
                for j, h in enumerate((640, 300, 64))
            ],
            "name": b["album_name"],
            "release_date": f"{int(b['release_year'])}-{1 + (r % 12):02d}-{1 + (r % 28):02d}",
            "release_date_precision": "day",
            "total_tracks": n_album_tracks,
            "type": "album",
            "uri": b["album_uri"],
        }
        tid = t["track_id"]
        track = {
            "album": album,
            "artists": artists,
            "available_markets": MARKETS,
            "disc_number": 1,
            "duration_ms": int(t["duration_ms"]),
            "episode": False,
            "explicit": bool(r % 9 == 0),
            "external_ids": {"isrc": f"QZ{isrc[k]}"},
            "external_urls": {"spotify": f"https://open.spotify.com/track/{tid}"},
            "href": f"https://api.spotify.com/v1/tracks/{tid}",
            "id": tid,
            "is_local": False,
            "name": t["track_name"],
            "popularity": int(t["popularity"]),
            "preview_url": None,
            "track": True,
            "track_number": int(t["track_number"]),
            "type": "track",
            "uri": t["track_uri"],
        }
        items.append(
            {
                "added_at": added[k],
                "added_by": {
                    "external_urls": {"spotify": "https://open.spotify.com/user/"},
                    "href": "https://api.spotify.com/v1/users/",
                    "id": "",
                    "type": "user",
                    "uri": "spotify:user:",
                },
                "is_local": False,
                "primary_color": f"#{colors[k]}" if k % 4 == 0 else None,
                "track": track,
                "video_thumbnail": {"url": None},
            }
        )
    return {
        "href": f"https://api.spotify.com/v1/playlists/{pid}/tracks?offset=0&limit=100",
        "items": items,
        "limit": 100,
        "next": None,
        "offset": 0,
        "previous": None,
        "total": len(items),
    }


def write_spotify(
    out_dir: Path,
    cat: Catalog,
    seed: int,
    used: np.ndarray,
    scrobbled: np.ndarray,
    progress: bool = True,
    dirty: bool = False,
) -> dict:
    """Write ``spotify/``; ``used``/``scrobbled`` flag catalog rows seen in MPD/scrobbles;
    ``dirty=True`` writes the same rows in the variant layouts (module docstring)."""

    def csv_bytes(frame: pd.DataFrame, **to_csv) -> bytes:
        if dirty:
            return pandas_export_bytes(frame[reordered(list(frame.columns))])
        return frame.to_csv(index=False, **to_csv).encode("utf-8")

    root = out_dir / "spotify"
    rng = sub_rng(seed, "spotify")
    tr = cat.tracks
    n_cat = cat.n_spotify
    bar = tqdm(total=5, desc="spotify", unit="part", disable=not progress)

    playlists = own_playlists(cat, seed)
    for g, rows in playlists.items():
        page = playlist_page(cat, rows, rng)
        if dirty:
            text = json.dumps(page, ensure_ascii=False, separators=(",", ":"))
        else:
            text = jackson_dumps(page)
        write_bytes(root / "playlists" / f"{slugify(g)}_playlist_tracks.json", text.encode("utf-8"))
    bar.update()

    af_dir = root / "audio_features"
    single = playlists[SINGLE_FILE_PLAYLIST]
    single_slug = slugify(SINGLE_FILE_PLAYLIST)
    for r in single.tolist():
        obj = audio_features_object(tr.iloc[r])
        write_bytes(
            af_dir / f"{single_slug}_track_{obj['id']}.json", jackson_dumps(obj).encode("utf-8")
        )
    batched = [r for g, rows in playlists.items() if g != SINGLE_FILE_PLAYLIST for r in rows]
    batched = list(dict.fromkeys(batched))  # unique, first-seen order
    overlap = rng.choice(single, size=3, replace=False).tolist()  # also in a batch
    batched += [r for r in overlap if r not in batched]
    pages = [batched[i : i + BATCH] for i in range(0, len(batched), BATCH)]
    if not dirty:  # no single-object track again, in as many pages (the same file names)
        once = np.array([r for r in batched if r not in set(single.tolist())], dtype=np.int64)
        pages = [part.tolist() for part in np.array_split(once, len(pages))]
    for k, rows in enumerate(pages):
        objs = [audio_features_object(tr.iloc[r]) for r in rows]
        write_bytes(
            af_dir / f"audio_features_{k}.json",
            jackson_dumps({"audio_features": objs}).encode("utf-8"),
        )
    bar.update()

    in_json = np.zeros(len(tr), dtype=bool)
    in_json[single] = True
    in_json[batched] = True
    held_out = np.zeros(len(tr), dtype=bool)
    held_out[rng.choice(n_cat, size=round(0.05 * n_cat), replace=False)] = True
    csv_rows = np.flatnonzero(tr["in_catalog"].to_numpy() & used & ~in_json & ~held_out)
    # drawn on both layouts (the same stream); written again in the CSV only on --dirty
    dup = rng.choice(np.flatnonzero(in_json), size=min(10, int(in_json.sum())), replace=False)
    if dirty:
        csv_rows = np.sort(np.concatenate([csv_rows, dup]))
    af = tr.iloc[csv_rows]
    af_df = pd.DataFrame(
        {
            **{c: af[c] for c in AF_FIELDS[:11]},
            "type": "audio_features",
            "id": af["track_id"],
            "uri": af["track_uri"],
            "track_href": "https://api.spotify.com/v1/tracks/" + af["track_id"],
            "analysis_url": "https://api.spotify.com/v1/audio-analysis/" + af["track_id"],
            "duration_ms": af["duration_ms"],
            "time_signature": af["time_signature"],
        }
    )
    write_bytes(af_dir / "audio_features.csv", csv_bytes(af_df))
    bar.update()

    # tracks-by-genre CSV: half of the catalog, grouped by genre like the Kaggle file
    sub = np.sort(rng.choice(n_cat, size=round(0.5 * n_cat), replace=False))
    sf = tr.iloc[sub].sort_values("genre", kind="stable")
    names = cat.artists["artist_name"].to_numpy()
    sf_out = pd.DataFrame(
        {
            "genre": sf["genre"],
            "artist_name": names[sf["artist_idx"].to_numpy()],
            "track_name": sf["track_name"],
            "track_id": sf["track_id"],
            "popularity": sf["popularity"],
            "acousticness": sf["acousticness"],
            "danceability": sf["danceability"],
            "duration_ms": sf["duration_ms"],
            "energy": sf["energy"],
            "instrumentalness": sf["instrumentalness"],
            "key": np.asarray(KEY_NAMES, dtype=object)[sf["key"].to_numpy()],
            "liveness": sf["liveness"],
            "loudness": sf["loudness"],
            "mode": np.where(sf["mode"].to_numpy() == 1, "Major", "Minor"),
            "speechiness": sf["speechiness"],
            "tempo": sf["tempo"],
            "time_signature": sf["time_signature"].astype(str) + "/4",
            "valence": sf["valence"],
        }
    )
    write_bytes(root / "tracks_by_genre" / "SpotifyFeatures.csv", csv_bytes(sf_out))
    bar.update()

    # scrobbled (artist, track) → URI; about half of the unmatched pairs listed with no URI
    seen = np.flatnonzero(scrobbled)
    in_cat = tr["in_catalog"].to_numpy()[seen]
    keep = in_cat | (rng.random(len(seen)) < 0.5)
    seen = seen[keep]
    matches = pd.DataFrame(
        {
            "artist": names[tr["artist_idx"].to_numpy()[seen]],
            "track": tr["track_name"].to_numpy()[seen],
            "track_uri": tr["track_uri"].to_numpy()[seen],
        }
    ).sort_values(["artist", "track"], kind="stable")
    write_bytes(root / "uri_matches.csv", csv_bytes(matches, quoting=csv.QUOTE_MINIMAL))
    bar.update()
    bar.close()
    return {
        "own_playlists": len(playlists),
        "own_playlist_tracks": int(sum(len(v) for v in playlists.values())),
        "audio_features_json_files": len(single) + len(pages),
        "audio_features_csv_rows": len(af_df),
        "catalog_tracks_without_features": int(
            (tr["in_catalog"].to_numpy() & ~in_json & ~np.isin(np.arange(len(tr)), csv_rows)).sum()
        ),
        "spotify_features_rows": len(sf_out),
        "uri_match_rows": len(matches),
        "uri_match_unmatched": int((matches["track_uri"] == "").sum()),
    }
