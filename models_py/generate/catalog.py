"""The one Spotify catalog every source draws from: genres, artists, albums, tracks.

Audio features come from per-genre distributions that overlap: a scaled linear model
separates genres clearly better than the majority class but far from perfectly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models_py.generate.ids import base62_ids, sub_rng, uuid4_strings
from models_py.generate.names import artist_names, title_names

GENRES = (
    "Pop",
    "Rock",
    "Hip-Hop",
    "Indie",
    "Electronic",
    "Jazz",
    "Classical",
    "Country",
    "R&B",
    "Metal",
    "Folk",
    "Latin",
)
# dance, energy, speech, acoustic, instrumental, liveness, valence, tempo, loudness, dur_s
GENRE_MEANS = np.array(
    [
        [0.68, 0.68, 0.08, 0.18, 0.02, 0.17, 0.55, 118, -6.0, 205],
        [0.50, 0.78, 0.05, 0.10, 0.06, 0.20, 0.50, 128, -6.0, 235],
        [0.78, 0.65, 0.25, 0.15, 0.01, 0.20, 0.50, 100, -6.5, 215],
        [0.55, 0.60, 0.05, 0.30, 0.10, 0.15, 0.45, 120, -8.0, 230],
        [0.68, 0.80, 0.07, 0.06, 0.55, 0.18, 0.40, 126, -6.0, 260],
        [0.55, 0.38, 0.06, 0.70, 0.40, 0.18, 0.50, 110, -12.0, 300],
        [0.30, 0.15, 0.05, 0.92, 0.85, 0.12, 0.20, 100, -22.0, 380],
        [0.58, 0.62, 0.04, 0.30, 0.01, 0.18, 0.58, 122, -7.0, 210],
        [0.65, 0.55, 0.12, 0.25, 0.02, 0.15, 0.48, 105, -7.5, 225],
        [0.40, 0.92, 0.09, 0.01, 0.15, 0.22, 0.30, 135, -4.5, 270],
        [0.50, 0.38, 0.04, 0.72, 0.05, 0.14, 0.42, 112, -11.0, 235],
        [0.75, 0.75, 0.09, 0.22, 0.01, 0.15, 0.72, 115, -5.5, 210],
    ]
)
GENRE_SHARE = np.array([14, 12, 11, 10, 9, 6, 5, 8, 8, 6, 5, 6], dtype=float)
FEATURE_COLUMNS = (
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
    "time_signature",
)
KEY_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
BETA_CONCENTRATION = 6.0


@dataclass
class Catalog:
    """Catalog tables (pandas, one row per entity) plus sampling weights.

    ``tracks`` columns: track_id, track_uri, track_name, artist_idx, album_idx, genre_idx,
    genre, popularity, weight, duration_ms, track_number, mbid, the audio features and
    ``in_catalog`` (False for the Last.fm-only tracks appended by :func:`extend_offcatalog`).
    """

    artists: pd.DataFrame
    albums: pd.DataFrame
    tracks: pd.DataFrame

    @property
    def n_spotify(self) -> int:
        """Tracks that are in the Spotify catalog (have an id and audio features)."""
        return int(self.tracks["in_catalog"].sum())


def _beta(rng: np.random.Generator, mean: np.ndarray, conc: float) -> np.ndarray:
    m = np.clip(mean, 0.005, 0.995)
    return rng.beta(m * conc, (1 - m) * conc)


def build_catalog(seed: int, scale: float) -> Catalog:
    """Build the Spotify catalog: ~600 artists, ~1,200 albums, ~4,000 tracks per unit scale."""
    rng = sub_rng(seed, "catalog")
    n_artists = max(40, round(600 * scale))
    n_albums = max(80, round(1200 * scale))
    n_tracks = max(300, round(4000 * scale))

    g_share = GENRE_SHARE / GENRE_SHARE.sum()
    artist_genre = rng.choice(len(GENRES), size=n_artists, p=g_share)
    artist_genre[: len(GENRES)] = np.arange(len(GENRES))
    artist_w = rng.lognormal(0.0, 1.1, n_artists)
    artists = pd.DataFrame(
        {
            "artist_id": base62_ids(rng, n_artists),
            "artist_name": artist_names(rng, n_artists),
            "genre_idx": artist_genre,
            "weight": artist_w / artist_w.sum(),
            "mbid": uuid4_strings(rng, n_artists),
            "has_mbid": rng.random(n_artists) >= 0.15,
        }
    )
    artists["artist_uri"] = "spotify:artist:" + artists["artist_id"]

    album_artist = np.empty(n_albums, dtype=np.int64)
    album_artist[:n_artists] = np.arange(n_artists)
    p = np.sqrt(artist_w) / np.sqrt(artist_w).sum()
    album_artist[n_artists:] = rng.choice(n_artists, size=n_albums - n_artists, p=p)
    release_year = np.clip(np.round(2024 - rng.gamma(2.0, 6.0, n_albums)), 1955, 2024)
    albums = pd.DataFrame(
        {
            "album_id": base62_ids(rng, n_albums),
            "album_name": title_names(rng, n_albums, album=True),
            "artist_idx": album_artist,
            "release_year": release_year.astype(int),
            "mbid": uuid4_strings(rng, n_albums),
            "has_mbid": rng.random(n_albums) >= 0.2,
            "lastfm_missing": rng.random(n_albums) < 0.03,
        }
    )
    albums["album_uri"] = "spotify:album:" + albums["album_id"]

    track_album = np.empty(n_tracks, dtype=np.int64)
    track_album[:n_albums] = np.arange(n_albums)
    aw = artist_w[album_artist] ** 0.5 * rng.lognormal(0, 0.3, n_albums)
    track_album[n_albums:] = rng.choice(n_albums, size=n_tracks - n_albums, p=aw / aw.sum())
    track_album = np.sort(track_album, kind="stable")
    track_number = np.arange(n_tracks) - np.searchsorted(track_album, track_album, side="left") + 1
    track_artist = album_artist[track_album]
    genre = artist_genre[track_artist].copy()
    stray = rng.random(n_tracks) < 0.08
    genre[stray] = rng.choice(len(GENRES), size=int(stray.sum()), p=g_share)

    # popularity: Zipf-like, correlated with the artist
    latent = np.log(artist_w[track_artist]) + rng.normal(0, 1.0, n_tracks)
    rank = np.empty(n_tracks, dtype=np.int64)
    rank[np.argsort(-latent, kind="stable")] = np.arange(1, n_tracks + 1)
    weight = 1.0 / rank**0.95
    weight /= weight.sum()
    popularity = 100 - 78 * np.log(rank) / np.log(n_tracks + 1) + rng.normal(0, 4, n_tracks)
    popularity = np.clip(np.round(popularity), 0, 100).astype(int)

    feats = audio_features_for(rng, genre)
    names = title_names(rng, n_tracks)
    names = _dedupe_titles(names, track_artist)
    tracks = pd.DataFrame(
        {
            "track_id": base62_ids(rng, n_tracks),
            "track_name": names,
            "artist_idx": track_artist,
            "album_idx": track_album,
            "genre_idx": genre,
            "popularity": popularity,
            "weight": weight,
            "track_number": track_number,
            "mbid": uuid4_strings(rng, n_tracks),
            "has_mbid": rng.random(n_tracks) >= 0.2,
            "in_catalog": True,
            **feats,
        }
    )
    tracks["genre"] = np.asarray(GENRES, dtype=object)[genre]
    tracks["track_uri"] = "spotify:track:" + tracks["track_id"]
    return Catalog(artists=artists, albums=albums, tracks=tracks)


def _dedupe_titles(names: list[str], artist_idx: np.ndarray) -> list[str]:
    """Make (artist, title) pairs unique so a name pair maps to one URI."""
    seen: set[tuple[int, str]] = set()
    out = []
    suffixes = (" - Remastered", " (Live)", " - Acoustic", " (Demo)", " - Radio Edit")
    for a, n in zip(artist_idx.tolist(), names, strict=True):
        name, k = n, 0
        while (a, name) in seen:
            name = (
                n + suffixes[k % len(suffixes)] + (f" {k // len(suffixes) + 1}" if k >= 5 else "")
            )
            k += 1
        seen.add((a, name))
        out.append(name)
    return out


def audio_features_for(rng: np.random.Generator, genre: np.ndarray) -> dict[str, np.ndarray]:
    """Spotify audio features drawn from the per-genre distributions (rounded like the API)."""
    m = GENRE_MEANS[genre]
    n = len(genre)
    c = BETA_CONCENTRATION
    out = {
        "danceability": np.round(_beta(rng, m[:, 0], c), 3),
        "energy": np.round(_beta(rng, m[:, 1], c), 3),
        "key": rng.integers(0, 12, n),
        "loudness": np.round(np.clip(m[:, 8] + rng.normal(0, 3.5, n), -60, -0.5), 3),
        "mode": (rng.random(n) < np.where(genre == 2, 0.45, 0.68)).astype(int),
        "speechiness": np.round(_beta(rng, m[:, 2], c * 2), 4),
        "acousticness": np.round(_beta(rng, m[:, 3], c), 5),
        "instrumentalness": np.round(_beta(rng, m[:, 4], c * 0.7), 5),
        "liveness": np.round(_beta(rng, m[:, 5], c * 1.5), 4),
        "valence": np.round(_beta(rng, m[:, 6], c), 3),
        "tempo": np.round(np.clip(m[:, 7] + rng.normal(0, 22, n), 45, 220), 3),
        "time_signature": rng.choice([3, 4, 5, 7], size=n, p=[0.07, 0.9, 0.02, 0.01]),
        "duration_ms": np.round(
            np.clip(m[:, 9] * rng.lognormal(0, 0.25, n), 30, 1500) * 1000
        ).astype(int),
    }
    return out


def extend_offcatalog(cat: Catalog, seed: int, scale: float) -> Catalog:
    """Append Last.fm-only artists/albums/tracks (no Spotify URI, ``in_catalog`` False)."""
    rng = sub_rng(seed, "offcatalog")
    n_art = max(10, round(60 * scale))
    n_alb = n_art * 2
    n_trk = n_alb * 4
    a0, b0 = len(cat.artists), len(cat.albums)
    artists = pd.DataFrame(
        {
            "artist_id": "",
            "artist_name": [
                f"{x} (Bootleg)" if i % 7 == 0 else x
                for i, x in enumerate(artist_names(rng, n_art))
            ],
            "genre_idx": rng.integers(0, len(GENRES), n_art),
            "weight": 1.0 / n_art,
            "mbid": uuid4_strings(rng, n_art),
            "has_mbid": rng.random(n_art) >= 0.4,
            "artist_uri": "",
        }
    )
    albums = pd.DataFrame(
        {
            "album_id": "",
            "album_name": title_names(rng, n_alb, album=True),
            "artist_idx": a0 + np.repeat(np.arange(n_art), 2),
            "release_year": 2000,
            "mbid": uuid4_strings(rng, n_alb),
            "has_mbid": rng.random(n_alb) >= 0.4,
            "lastfm_missing": rng.random(n_alb) < 0.1,
            "album_uri": "",
        }
    )
    alb = np.repeat(np.arange(n_alb), 4)
    art_local = np.repeat(np.arange(n_art), 8)
    genre = artists["genre_idx"].to_numpy()[art_local]
    feats = audio_features_for(rng, genre)
    tracks = pd.DataFrame(
        {
            "track_id": "",
            "track_name": _dedupe_titles(title_names(rng, n_trk), art_local),
            "artist_idx": a0 + art_local,
            "album_idx": b0 + alb,
            "genre_idx": genre,
            "popularity": 0,
            "weight": 0.0,
            "track_number": np.tile(np.arange(1, 5), n_alb),
            "mbid": uuid4_strings(rng, n_trk),
            "has_mbid": rng.random(n_trk) >= 0.5,
            "in_catalog": False,
            **feats,
        }
    )
    tracks["genre"] = np.asarray(GENRES, dtype=object)[genre]
    tracks["track_uri"] = ""
    return Catalog(
        artists=pd.concat([cat.artists, artists], ignore_index=True),
        albums=pd.concat([cat.albums, albums], ignore_index=True),
        tracks=pd.concat([cat.tracks, tracks], ignore_index=True),
    )
