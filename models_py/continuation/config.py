"""Playlist continuation: names, feature lists and settings (no SQL, no imports of the
other continuation modules)."""

from __future__ import annotations

import re
from dataclasses import dataclass

TASK = "playlist_continuation"
SCORE_TABLE = "playlist_continuations"
OWN_SCORE_TABLE = "own_playlist_continuations"
OURS, POPULARITY, SOURCE_METHOD = "cooccurrence", "popularity", "source_method"
METHODS: tuple[str, ...] = (OURS, POPULARITY, SOURCE_METHOD)
BASELINES = frozenset({POPULARITY, SOURCE_METHOD})
TEST, VALIDATION = "test", "validation"

# ours' audio similarity: dim_spotify_tracks columns, standardised
AUDIO_FEATURES: tuple[str, ...] = (
    "danceability",
    "energy",
    "valence",
    "acousticness",
    "speechiness",
    "instrumentalness",
    "liveness",
    "tempo_bpm",
    "loudness_db",
)
# ours' blend: continuation_candidates columns, continuation_blend weights w_<feature>
BLEND_FEATURES: tuple[str, ...] = ("cooccurrence", "audio", "popularity", "name")
# the fallback blend: co-occurrence and name as they are, popularity only breaks ties
FALLBACK_WEIGHTS: dict[str, float] = {
    "cooccurrence": 1.0,
    "audio": 0.0,
    "popularity": 1e-3,
    "name": 1.0,
}
# ours' ranking key: round(score * SCORE_SCALE) * TRACK_SPACE + (TRACK_SPACE - 1 - track)
SCORE_SCALE = 1_000_000
TRACK_SPACE = 1 << 22
# pairs (seed playlist entries x playlist length) per sparse product chunk
SIMILARITY_CHUNK_PAIRS = 20_000_000


@dataclass(frozen=True)
class ContinuationConfig:
    """Split, evaluation and method settings (the defaults suit the demo data)."""

    seed_sizes: tuple[int, ...] = (0, 1, 5, 10, 25, 100)
    max_test_playlists: int = 500
    max_validation_playlists: int = 500
    n_predictions: int = 500
    n_similar: int = 500
    n_similar_per_playlist: int = 1500
    n_popular_candidates: int = 100
    name_prior: float = 5.0
    max_fit_negatives: int = 200_000
    n_own_predictions: int = 50
    n_neighbours: int = 10
    n_clusters: int = 10
    n_cluster_playlists: int = 5

    def __post_init__(self) -> None:
        if not self.seed_sizes or min(self.seed_sizes) < 0:
            raise ValueError("seed sizes must be non-negative")
        if min(self.n_predictions, self.n_similar, self.max_test_playlists) < 1:
            raise ValueError("n_predictions, n_similar and max_test_playlists must be positive")


def normalize_name(name: str | None) -> str | None:
    """A playlist name as ``NAME_KEY`` normalises it in SQL (None when nothing is left)."""
    if name is None:
        return None
    text = re.sub(r"['’]", "", name.lower())
    text = re.sub(r"[\W_]+", " ", text).strip()
    return text or None


def _name_key(column: str) -> str:
    """SQL of ``normalize_name`` for a column (a constant of this module)."""
    return (
        "nullif(trim(regexp_replace(regexp_replace(lower("
        f"{column}), '[''’]', '', 'g'), '[^\\p{{L}}\\p{{N}}]+', ' ', 'g')), '')"
    )
