"""The demo raw-data generator: layouts, consistency, determinism and realism."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from models_py.generate import generate
from models_py.generate.mssd import LOG_COLUMNS, TF_COLUMNS
from models_py.metrics import mean_average_accuracy
from support import DEMO_SCALE, DEMO_SEED, demo_summary

SCALE = 0.2
AF_KEYS = [
    "danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
    "instrumentalness", "liveness", "valence", "tempo", "type", "id", "uri", "track_href",
    "analysis_url", "duration_ms", "time_signature",
]  # fmt: skip
LASTFM_HEADER = "uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid"
SF_HEADER = (
    "genre,artist_name,track_name,track_id,popularity,acousticness,danceability,duration_ms,"
    "energy,instrumentalness,key,liveness,loudness,mode,speechiness,tempo,time_signature,valence"
)
FEATURES = ["acousticness", "danceability", "energy", "instrumentalness", "liveness",
            "loudness", "speechiness", "tempo", "valence", "duration_ms"]  # fmt: skip


@pytest.fixture(scope="module")
def gen(demo_raw_dir: Path) -> tuple[Path, dict]:
    """The suite's demo data (conftest: scale 0.2, seed 7) and the generator's summary."""
    return demo_raw_dir, demo_summary(demo_raw_dir)


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _mssd_log(root: Path) -> pd.DataFrame:
    files = sorted((root / "mssd" / "training_set").iterdir())
    assert files
    return pd.concat([pd.read_csv(f) for f in files], ignore_index=True)


def test_same_seed_same_bytes_other_seed_differs(gen, tmp_path):
    root, _ = gen
    again = tmp_path / "again"
    other = tmp_path / "other"
    generate(again, scale=DEMO_SCALE, seed=DEMO_SEED, progress=False)  # the one allowed twice
    generate(other, scale=DEMO_SCALE, seed=DEMO_SEED + 1, progress=False)
    first = _digests(root)
    assert first == _digests(again)
    second = _digests(other)
    common = set(first) & set(second)
    assert common and all(first[k] != second[k] for k in common if "mpd" in k or "mssd" in k)


def test_mssd_files_and_headers(gen):
    root, summary = gen
    files = sorted((root / "mssd" / "training_set").iterdir())
    assert len(files) >= 2 and files[-1].name.endswith(".csv.gz")
    assert all(f.suffix == ".csv" for f in files[:-1])
    assert all(f.name.startswith("log_") and "_000000000000.csv" in f.name for f in files)
    with gzip.open(files[-1], "rt") as fh:
        assert fh.readline().rstrip("\n").split(",") == LOG_COLUMNS
    with open(files[0]) as fh:
        header = fh.readline().rstrip("\n")
        first = next(csv.DictReader(io.StringIO(header + "\n" + fh.readline())))
    assert header.split(",") == LOG_COLUMNS
    assert first["skip_1"] in ("true", "false") and first["premium"] in ("true", "false")
    datetime.strptime(first["date"], "%Y-%m-%d")
    assert first["session_id"][0].isdigit() and first["session_id"][1] == "_"
    assert len(first["session_id"].split("_", 1)[1]) == 36
    with open(root / "mssd" / "track_features" / "tf_000000000000.csv") as fh:
        assert fh.readline().rstrip("\n").split(",") == TF_COLUMNS
    tf = pd.read_csv(root / "mssd" / "track_features" / "tf_000000000000.csv")
    assert tf["track_id"].str.match(r"^t_[0-9a-f-]{36}$").all()
    assert set(tf["mode"]) == {"major", "minor"}
    assert tf["us_popularity_estimate"].between(90, 100).all()
    assert summary["mssd_sessions"] == 3000


def test_mssd_track_features_look_like_the_real_ones(gen):
    """Shapes of the real MSSD track features (README, "Bounds and their sources"): flatness
    about half above 1 and at most 1.1678, popularity 90–100 with a median near 99.87,
    loudness -60…6.3 dB, tempo 0…249.99, acoustic vectors about -1.18…1.19."""
    root, _ = gen
    tf = pd.read_csv(root / "mssd" / "track_features" / "tf_000000000000.csv")
    assert 0.45 <= (tf["flatness"] > 1).mean() <= 0.60
    assert tf["flatness"].between(0, 1.1678).all()
    assert abs(tf["flatness"].median() - 1.0024) < 0.01
    assert tf["us_popularity_estimate"].between(90, 100).all()
    assert 99.8 <= tf["us_popularity_estimate"].median() <= 99.95
    assert (tf["us_popularity_estimate"] < 99).mean() > 0.05  # a tail down towards 90
    assert tf["loudness"].between(-60, 6.3).all()
    assert tf["tempo"].between(0, 249.99).all()
    assert tf["dyn_range_mean"].between(0, 52.6).all()
    vectors = tf[[f"acoustic_vector_{i}" for i in range(8)]]
    assert vectors.ge(-1.18).all().all() and vectors.le(1.19).all().all()
    # placeholders, as in the real file: flatness 0 with tempo 0 and loudness -60
    placeholders = tf[tf["flatness"] == 0]
    assert len(placeholders) < 0.01 * len(tf)
    assert (placeholders["tempo"] == 0).all() and (placeholders["loudness"] == -60).all()


def test_mssd_sessions_consistent(gen):
    root, _ = gen
    log = _mssd_log(root)
    tf = pd.read_csv(root / "mssd" / "track_features" / "tf_000000000000.csv")
    assert set(log["track_id_clean"]) <= set(tf["track_id"])
    g = log.groupby("session_id")
    assert (g.size() == g["session_length"].first()).all()
    assert g["session_length"].first().between(10, 20).all()
    assert (g["session_position"].min() == 1).all()
    assert (g["session_position"].max() == g["session_length"].first()).all()
    assert not log.duplicated(["session_id", "session_position"]).any()
    # skip_1 ⇒ skip_2 ⇒ skip_3, not_skipped = ¬skip_3
    assert not (log["skip_1"] & ~log["skip_2"]).any()
    assert not (log["skip_2"] & ~log["skip_3"]).any()
    assert (log["not_skipped"] == ~log["skip_3"]).all()
    pauses = log[["no_pause_before_play", "short_pause_before_play", "long_pause_before_play"]]
    assert (pauses.sum(axis=1) == 1).all()
    assert set(log["context_type"]) <= {
        "editorial_playlist", "user_collection", "catalog", "radio", "charts",
        "personalized_playlist",
    }  # fmt: skip
    # reason_end: fwdbtn mostly for skips, trackdone for tracks played to the end
    done = log[log["not_skipped"]]
    skipped = log[log["skip_2"]]
    assert (done["hist_user_behavior_reason_end"] == "trackdone").mean() > 0.8
    assert (skipped["hist_user_behavior_reason_end"] == "fwdbtn").mean() > 0.7
    # reason_start of event i+1 follows reason_end of event i
    log = log.sort_values(["session_id", "session_position"])
    nxt = log.groupby("session_id")["hist_user_behavior_reason_start"].shift(-1)
    pair = pd.DataFrame({"end": log["hist_user_behavior_reason_end"], "start": nxt}).dropna()
    for reason in ("trackdone", "fwdbtn", "backbtn"):
        assert (pair.loc[pair["end"] == reason, "start"] == reason).mean() > 0.95


def test_skip_realism_and_oracle(gen):
    root, summary = gen
    log = _mssd_log(root)
    rate = log["skip_2"].mean()
    assert 0.40 <= rate <= 0.55
    second = log[log["session_position"] * 2 > log["session_length"]]
    first = log[log["session_position"] * 2 <= log["session_length"]]
    last_obs = first.sort_values("session_position").groupby("session_id")["skip_2"].last()
    second = second.assign(baseline=second["session_id"].map(last_obs))
    maa_base = mean_average_accuracy(second, "baseline", "skip_2")
    assert 0.50 <= maa_base <= 0.58
    oracle = pd.read_csv(root / "mssd" / "_oracle" / "skip_oracle.csv")
    assert list(oracle.columns) == ["session_id", "session_position", "p_skip_2", "pred_skip_2"]
    merged = second.merge(oracle, on=["session_id", "session_position"], how="left")
    assert len(merged) == len(second) == len(oracle)
    assert merged["p_skip_2"].between(0, 1).all()
    assert (merged["pred_skip_2"] == (merged["p_skip_2"] >= 0.5)).all()
    maa_oracle = mean_average_accuracy(merged, "pred_skip_2", "skip_2")
    assert maa_oracle >= maa_base + 0.08
    # calibrated: mean predicted probability ≈ observed rate
    assert abs(merged["p_skip_2"].mean() - merged["skip_2"].mean()) < 0.02
    assert summary["maa_repeat_last"] == pytest.approx(maa_base, abs=1e-9)
    assert summary["maa_oracle"] == pytest.approx(maa_oracle, abs=1e-9)


def _mpd(root: Path) -> list[dict]:
    files = sorted((root / "mpd").glob("mpd.slice.*.json"))
    assert files
    out = []
    for f in files:
        doc = json.loads(f.read_text())
        assert list(doc["info"]) == ["generated_on", "slice", "version"]
        assert f.name == f"mpd.slice.{doc['info']['slice']}.json"
        out += doc["playlists"]
    return out


def test_mpd_layout_and_consistency(gen):
    root, _ = gen
    raw = next((root / "mpd").glob("*.json")).read_text()
    assert raw.startswith('{\n    "info": {\n        "generated_on": ')
    assert '", \n' in raw  # python-2 style separators like the real slices
    pls = _mpd(root)
    keys = {"name", "collaborative", "pid", "modified_at", "num_tracks", "num_albums",
            "num_followers", "tracks", "num_edits", "duration_ms", "num_artists"}  # fmt: skip
    track_keys = ["pos", "artist_name", "track_uri", "artist_uri", "track_name", "album_uri",
                  "duration_ms", "album_name"]  # fmt: skip
    assert [p["pid"] for p in pls] == list(range(len(pls)))
    for p in pls:
        assert keys <= set(p) <= keys | {"description"}
        assert p["collaborative"] in ("true", "false")
        assert p["num_tracks"] == len(p["tracks"])
        assert [t["pos"] for t in p["tracks"]] == list(range(len(p["tracks"])))
        assert p["num_artists"] == len({t["artist_uri"] for t in p["tracks"]})
        assert p["num_albums"] == len({t["album_uri"] for t in p["tracks"]})
        assert p["duration_ms"] == sum(t["duration_ms"] for t in p["tracks"])
        assert list(p["tracks"][0]) == track_keys
        assert 5 <= p["num_tracks"] <= 250
        assert p["num_artists"] >= 3 and p["num_albums"] >= 2 and p["num_followers"] >= 1
    assert any(p["name"] != p["name"].strip() for p in pls)


def test_mpd_shape_and_zipf(gen):
    root, _ = gen
    pls = _mpd(root)
    n = np.array([p["num_tracks"] for p in pls])
    # sd of the lengths ≈ 55, so with 400 playlists the mean's sd ≈ 2.8
    assert abs(n.mean() - 66) < 9
    assert abs(np.median(n) - 49) < 7
    uris = pd.Series([t["track_uri"] for p in pls for t in p["tracks"]])
    counts = uris.value_counts()
    top = counts.iloc[: max(1, len(counts) // 100)].sum() / counts.sum()
    assert top > 0.03  # the top 1 % of tracks hold ≥ 3× their fair share (small catalog)
    dup = sum(len(p["tracks"]) - len({t["track_uri"] for t in p["tracks"]}) for p in pls)
    assert 0 < dup < 0.02 * len(uris)


def test_genre_separability(gen):
    root, _ = gen
    with open(root / "spotify" / "tracks_by_genre" / "SpotifyFeatures.csv") as fh:
        assert fh.readline().rstrip("\n") == SF_HEADER
    sf = pd.read_csv(root / "spotify" / "tracks_by_genre" / "SpotifyFeatures.csv")
    assert sf["time_signature"].str.match(r"^\d/4$").all()
    assert set(sf["mode"]) == {"Major", "Minor"}
    assert sf["key"].isin(["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]).all()
    x = sf[FEATURES].to_numpy(float)
    x = (x - x.mean(0)) / x.std(0)
    y = sf["genre"].to_numpy()
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(y))
    train, test = idx[: len(y) // 2], idx[len(y) // 2 :]
    genres = np.unique(y[train])
    cent = np.stack([x[train][y[train] == g].mean(0) for g in genres])
    pred = genres[np.argmin(((x[test][:, None, :] - cent[None]) ** 2).sum(-1), axis=1)]
    acc = (pred == y[test]).mean()
    majority = pd.Series(y[test]).value_counts(normalize=True).iloc[0]
    assert acc > majority + 0.15
    assert acc < 0.95


def test_spotify_files(gen):
    root, _ = gen
    sp = root / "spotify"
    playlists = sorted((sp / "playlists").glob("*_playlist_tracks.json"))
    assert len(playlists) == 6
    csv_uris = pd.read_csv(sp / "audio_features" / "audio_features.csv")["uri"]
    for f in playlists:
        page = json.loads(f.read_text())
        assert list(page) == ["href", "items", "limit", "next", "offset", "previous", "total"]
        assert 30 <= page["total"] == len(page["items"]) <= 80
        assert "name" not in page
        item = page["items"][0]
        assert {"added_at", "added_by", "is_local", "primary_color", "track"} <= set(item)
        t = item["track"]
        assert len(t["id"]) == 22 and t["uri"] == f"spotify:track:{t['id']}"
        assert {"id", "name", "uri", "artists"} <= set(t["album"])
    singles = list((sp / "audio_features").glob("*_track_*.json"))
    batches = list((sp / "audio_features").glob("audio_features_*.json"))
    assert singles and batches
    obj = json.loads(singles[0].read_text())
    assert list(obj) == AF_KEYS
    assert singles[0].read_text().startswith('{\n  "danceability" : ')
    batch = json.loads(batches[0].read_text())["audio_features"]
    assert 1 <= len(batch) <= 100 and list(batch[0]) == AF_KEYS
    with open(sp / "audio_features" / "audio_features.csv") as fh:
        assert fh.readline().rstrip("\n").split(",") == AF_KEYS
    # each track's features in exactly one file (--dirty delivers some twice)
    json_uris = [json.loads(s.read_text())["uri"] for s in singles] + [
        o["uri"] for b in batches for o in json.loads(b.read_text())["audio_features"]
    ]
    delivered = json_uris + csv_uris.tolist()
    assert len(set(delivered)) == len(delivered)
    matches = pd.read_csv(sp / "uri_matches.csv", keep_default_na=False)
    assert list(matches.columns) == ["artist", "track", "track_uri"]
    assert (matches["track_uri"] == "").any()
    assert (
        matches.loc[matches["track_uri"] != "", "track_uri"].str.startswith("spotify:track:").all()
    )


def test_lastfm_export_csv(gen):
    root, _ = gen
    path = root / "lastfm" / "alexrivers_scrobbles.csv"
    raw = path.read_bytes()
    assert raw.startswith(LASTFM_HEADER.encode() + b"\r\n")
    assert raw.endswith(b'"\r\n') and raw.count(b"\r\n") == raw.count(b"\n")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    body = rows[1:]
    assert all(len(r) == 8 for r in body)
    assert raw.split(b"\r\n")[1].startswith(b'"')  # every field quoted
    df = pd.DataFrame(body, columns=LASTFM_HEADER.split(","))
    uts = df["uts"].astype(int)
    real = df[uts > 0]
    assert (real["uts"].astype(int).diff().dropna() <= 0).all()  # newest first
    sample = real.iloc[0]
    expected = datetime.fromtimestamp(int(sample["uts"]), tz=UTC).strftime("%d %b %Y, %H:%M")
    assert sample["utc_time"] == expected
    # the clean demo has no dirt: no 1970 stamp, no repeated row (--dirty writes them)
    assert (uts > 0).all() and not df.duplicated().any()
    assert 0.05 < (df["artist_mbid"] == "").mean() < 0.35
    assert 0.1 < (df["track_mbid"] == "").mean() < 0.35
    assert (df["album"] == "").any()
    assert df["artist"].map(lambda s: not s.isascii()).any()
    # daily rhythm: evenings busier than nights
    hours = pd.to_datetime(real["uts"].astype(int), unit="s").dt.hour
    evening = hours.between(18, 23).mean()
    night = hours.between(0, 5).mean()
    assert evening > 2 * night
    assert hours.value_counts(normalize=True).max() > 1.5 / 24
    # listening sessions separated by more than 30 minutes exist, and streaks of an artist
    gaps = -real["uts"].astype(int).diff().dropna()
    assert (gaps > 1800).sum() > 20
    assert (df["artist"] == df["artist"].shift()).mean() > 0.5
    # some scrobbles are not in the catalog
    matches = pd.read_csv(root / "spotify" / "uri_matches.csv", keep_default_na=False)
    matched = set(zip(matches.loc[matches["track_uri"] != "", "artist"],
                      matches.loc[matches["track_uri"] != "", "track"], strict=True))  # fmt: skip
    in_cat = [(a, t) in matched for a, t in zip(df["artist"], df["track"], strict=True)]
    assert 0.01 < 1 - np.mean(in_cat) < 0.2


def test_lastfm_other_formats(gen):
    root, _ = gen
    lf = root / "lastfm"
    with open(lf / "bea_listens.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert all(len(r) == 4 for r in rows)
    assert rows[0][0] != "artist"  # no header
    datetime.strptime(rows[0][3], "%d %b %Y %H:%M")
    assert not any(r[3].startswith("01 Jan 1970") for r in rows)
    tsv = (lf / "lastfm1k_demo.tsv").read_text(encoding="utf-8").splitlines()
    parts = [line.split("\t") for line in tsv]
    assert all(len(p) == 6 for p in parts)
    assert parts[0][0].startswith("user_") and len(parts[0][0]) == 11
    datetime.strptime(parts[0][1], "%Y-%m-%dT%H:%M:%SZ")
    assert parts[0][1] >= parts[-1][1]
    pages = sorted(lf.glob("*_recenttracks_page*.json"))
    assert pages
    p1 = json.loads((lf / pages[0].name.replace(pages[0].name.split("page")[-1], "1.json"))
                    .read_text())  # fmt: skip
    rt = p1["recenttracks"]
    attr = rt["@attr"]
    assert attr["page"] == "1" and int(attr["totalPages"]) == len(pages)
    assert attr["perPage"] == "200"
    tracks = rt["track"]  # scrobbles only: the now-playing track is --dirty's
    assert len(tracks) == 200 and all("date" in t and "#text" in t["artist"] for t in tracks)
    assert not any("@attr" in t for t in tracks)
    total = sum(
        len([t for t in json.loads(p.read_text())["recenttracks"]["track"] if "date" in t])
        for p in pages
    )
    assert total == int(attr["total"])


def test_dirty_lastfm_carries_the_dirt_of_real_exports(tmp_path):
    """--dirty adds what real exports carry and staging rejects: repeated rows, rows
    stamped 1970 (unix 0) and the track playing at download time on the first API page."""
    generate(tmp_path, scale=SCALE, seed=42, progress=False, only="lastfm", dirty=True)
    lf = tmp_path / "lastfm"
    export = pd.read_csv(lf / "alexrivers_scrobbles.csv", index_col=0, dtype=str)
    assert (export["timestamp"] == "0").sum() == 3
    assert export.duplicated().mean() > 0.003
    tsv = pd.read_csv(lf / "lastfm1k_demo.tsv", sep="\t", header=None, quoting=csv.QUOTE_NONE)
    assert tsv.duplicated().mean() > 0.003
    page1 = json.loads((lf / "dmitri_k_recenttracks_page1.json").read_text())
    first, *rest = page1["recenttracks"]["track"]
    assert first["@attr"] == {"nowplaying": "true"} and "date" not in first
    assert len(rest) == 200 and all("date" in t for t in rest)


@pytest.mark.parametrize("only", ["mpd,spotify", ["spotify"], ("lastfm", "mssd")])
def test_only_writes_those_sources_as_a_full_run_does(gen, tmp_path, only):
    """A subset run writes exactly the full run's files of those sources, byte for byte
    (spotify's files depend on the MPD and Last.fm draws even when those are not written)."""
    root, _ = gen
    summary = generate(tmp_path, scale=DEMO_SCALE, seed=DEMO_SEED, progress=False, only=only)
    wanted = only.split(",") if isinstance(only, str) else list(only)
    assert summary["sources"] == [s for s in ("mpd", "lastfm", "spotify", "mssd") if s in wanted]
    full = {k: v for k, v in _digests(root).items() if k.split("/")[0] in wanted}
    assert full and _digests(tmp_path) == full
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(wanted)
    assert ("mpd_entries" in summary) == ("mpd" in wanted)


@pytest.mark.parametrize("only", ["mpd,mssdx", "", " , "])
def test_only_rejects_unknown_or_no_sources(tmp_path, only):
    with pytest.raises(ValueError, match="unknown source|no source given"):
        generate(tmp_path, scale=SCALE, seed=42, progress=False, only=only)
    assert not any(tmp_path.iterdir())
