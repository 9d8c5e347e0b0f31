"""Feature lists of playlists that more than one model uses (no imports of models_py)."""

from __future__ import annotations

# the playlist aggregate vector: dim_playlists column -> dim_spotify_tracks column (the
# continuation's source-method clusters, the source write-ups' metrics and follower model)
AGGREGATE_FEATURES: dict[str, str] = {
    "mean_danceability": "danceability",
    "mean_energy": "energy",
    "mean_speechiness": "speechiness",
    "mean_acousticness": "acousticness",
    "mean_instrumentalness": "instrumentalness",
    "mean_liveness": "liveness",
    "mean_valence": "valence",
    "mean_duration_ms": "duration_ms",
}
