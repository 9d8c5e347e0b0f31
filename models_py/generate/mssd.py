"""Music Streaming Sessions Dataset (MSSD) look-alike: track features, sessions, oracle.

Skip model
----------
Every session has 10–20 events. ``skip_2`` of event *i* is Bernoulli with

    logit = B0 + B_PREV·s(i-1) + B_TRACK·z(track) + B_MATCH·match(i) + CTX[context]
            + B_SHUFFLE·shuffle + B_FREE·(not premium) + PAUSE[pause(i)] + B_POS·pos

* ``z(track)`` is a fixed linear score of the track's *published* features (speechiness,
  popularity estimate, duration, valence, energy, acoustic vector 0);
* ``match(i)`` is the cosine between the acoustic vector of track *i* and the session's
  **taste**, which is the acoustic vector of the session's first track.  The taste is
  therefore a function of observable data (the track at position 1), never a hidden
  variable: this is the "simplest honest design" — the oracle needs no posterior over a
  latent listener;
* ``pause(i)`` (none/short/long before play) is drawn from P(pause | s(i-1)), so it
  carries the previous skip (as in the real data);
* the previous skip makes the labels a Markov chain.

Oracle
------
``mssd/_oracle/skip_oracle.csv`` holds, for every second-half event (``2·position >
length``), the exact P(skip_2 = 1) given what a predictor may see: the first half with its
labels, and for all events the track (and its features), position, context type,
shuffle, premium, hour and date.  Second-half pauses, reasons, seeks and skips are *not*
conditioned on (they reveal the previous skip).  Given those observables the labels form
a Markov chain, so only the last first-half label matters and the unobserved second-half
labels are marginalised by the forward recursion

    p(i) = q1(i)·p(i-1) + q0(i)·(1 − p(i-1)),   q_k(i) = Σ_pause P(pause|k)·σ(logit | k, pause)

starting from the observed last first-half label.  ``pred_skip_2 = p_skip_2 >= 0.5``.

Dirty layout
------------
``dirty=True`` writes the same rows as a spreadsheet saves them: session logs with
``date`` as ``DD/MM/YYYY``, a row-number column, the columns in another order, a BOM and
CRLF; the track features in another column order with an unnamed index column, BOM and
CRLF. The oracle keeps its layout (the warehouse does not read it).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from tqdm import tqdm

from models_py.generate.ids import sub_rng, uuid4_strings, zipf_weights
from models_py.generate.writers import (
    arrow_csv_bytes,
    pandas_export_bytes,
    reordered,
    with_bom,
    write_bytes,
)
from models_py.metrics import session_average_accuracies

SESSIONS_PER_FILE = 5000
FILES_PER_DAY = 10
START_DATE = dt.date(2018, 7, 15)
MAX_LEN = 20

LOG_COLUMNS = [
    "session_id",
    "session_position",
    "session_length",
    "track_id_clean",
    "skip_1",
    "skip_2",
    "skip_3",
    "not_skipped",
    "context_switch",
    "no_pause_before_play",
    "short_pause_before_play",
    "long_pause_before_play",
    "hist_user_behavior_n_seekfwd",
    "hist_user_behavior_n_seekback",
    "hist_user_behavior_is_shuffle",
    "hour_of_day",
    "date",
    "premium",
    "context_type",
    "hist_user_behavior_reason_start",
    "hist_user_behavior_reason_end",
]
TF_COLUMNS = [
    "track_id",
    "duration",
    "release_year",
    "us_popularity_estimate",
    "acousticness",
    "beat_strength",
    "bounciness",
    "danceability",
    "dyn_range_mean",
    "energy",
    "flatness",
    "instrumentalness",
    "key",
    "liveness",
    "loudness",
    "mechanism",
    "mode",
    "organism",
    "speechiness",
    "tempo",
    "time_signature",
    "valence",
] + [f"acoustic_vector_{i}" for i in range(8)]
ORACLE_COLUMNS = ["session_id", "session_position", "p_skip_2", "pred_skip_2"]

CONTEXTS = np.array(
    [
        "editorial_playlist",
        "user_collection",
        "catalog",
        "radio",
        "charts",
        "personalized_playlist",
    ],
    dtype=object,
)
CONTEXT_P = np.array([0.20, 0.36, 0.14, 0.10, 0.07, 0.13])
REASON_END = np.array(
    ["trackdone", "fwdbtn", "backbtn", "endplay", "logout", "remote", "clickrow"], dtype=object
)
# P(reason_end | skip class): rows = skipped early (skip_2), skipped late (skip_3 only),
# played to the end
REASON_END_P = np.array(
    [
        [0.00, 0.82, 0.06, 0.04, 0.01, 0.01, 0.06],
        [0.00, 0.74, 0.05, 0.08, 0.01, 0.02, 0.10],
        [0.94, 0.00, 0.00, 0.03, 0.02, 0.01, 0.00],
    ]
)
REASON_START = np.array(
    ["trackdone", "fwdbtn", "backbtn", "clickrow", "playbtn", "appload", "remote", "trackerror"],
    dtype=object,
)
FIRST_START_P = np.array([0.14, 0.10, 0.02, 0.34, 0.20, 0.15, 0.05, 0.0])

# ---- skip model parameters (tuned for the realism targets, see tests) ----
B0 = -2.0
B_FIRST = 0.0
B_PREV = 4.0
B_TRACK = 1.55
B_MATCH = -0.9
B_SHUFFLE = 0.35
B_FREE = 0.3
B_POS = 0.25
CTX_EFFECT = np.array([0.15, -0.45, 0.0, 0.4, 0.25, 0.05])
PAUSE_EFFECT = np.array([0.0, 0.1, -0.35])  # none, short, long
PAUSE_P_FIRST = np.array([0.30, 0.20, 0.50])
PAUSE_P = np.array([[0.55, 0.30, 0.15], [0.85, 0.10, 0.05]])  # rows: previous skip 0 / 1


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


# Real MSSD track features (all 3,706,388 tracks of the WSDM Cup 2019 release), the shapes
# drawn below: flatness 0 / median 1.0024 / max 1.1678 with about 52 % above 1; loudness
# -60 … 6.3 dB; tempo 0 … 249.99; dyn_range_mean 0 … 52.6; us_popularity_estimate 90 … 100
# (median 99.87 in the public mini sample); acoustic vectors about -1.18 … 1.19. Zeros in
# flatness and tempo with loudness -60 are the file's placeholders for a track it could not
# analyse. README, "Bounds and their sources".
FLATNESS_MEDIAN = 1.0024
FLATNESS_MAX = 1.1678
POPULARITY_MEDIAN_GAP = 0.13  # 100 - median us_popularity_estimate
ACOUSTIC_VECTOR_RANGE = (-1.18, 1.19)
LOUDNESS_RANGE = (-60.0, 6.3)
TEMPO_MAX = 249.99
PLACEHOLDER_SHARE = 0.002  # tracks with flatness 0, tempo 0 and loudness -60


def build_tracks(seed: int, scale: float) -> pd.DataFrame:
    """MSSD track features (its own ``t_<uuid>`` id space) plus the hidden helper columns
    ``_z`` (track skip score), ``_w`` (play weight) and ``_av`` (unit acoustic vector).

    Features follow the real dataset's published ranges and medians (module constants);
    every value stages, none trips a warn test."""
    rng = sub_rng(seed, "mssd_tracks")
    n = max(200, round(3000 * scale))
    av = np.clip(rng.normal(0, 0.3, (n, 8)), *ACOUSTIC_VECTOR_RANGE)
    beta = rng.beta
    # popularity: 100 minus a heavy-tailed gap with median 0.13, redrawn uniformly below 10
    pop_latent = rng.normal(0, 1, n)
    gap = POPULARITY_MEDIAN_GAP * np.exp(1.6 * pop_latent)
    far = gap > 10
    gap[far] = rng.uniform(0, 10, int(far.sum()))
    # flatness: centred just above 1 (about half above), rarely below 0.85, capped at the max
    flatness = np.clip(rng.normal(FLATNESS_MEDIAN, 0.05, n), 0.5, FLATNESS_MAX)
    loudness = np.clip(rng.normal(-8, 3.5, n), LOUDNESS_RANGE[0] + 1, 3.0)
    tempo = np.clip(rng.normal(120, 28, n), 40, TEMPO_MAX - 20)
    placeholder = rng.random(n) < PLACEHOLDER_SHARE
    flatness[placeholder] = 0.0
    tempo[placeholder] = 0.0
    loudness[placeholder] = LOUDNESS_RANGE[0]
    df = pd.DataFrame(
        {
            "track_id": "t_" + pd.Series(uuid4_strings(rng, n), dtype=object),
            "duration": np.round(np.clip(rng.lognormal(np.log(220), 0.3, n), 30, 1200), 6),
            "release_year": np.clip(np.round(2018 - rng.gamma(1.6, 7.0, n)), 1950, 2018).astype(
                int
            ),
            "us_popularity_estimate": np.round(100 - gap, 6),
            "acousticness": np.round(beta(0.8, 2.2, n), 6),
            "beat_strength": np.round(beta(3, 4, n), 6),
            "bounciness": np.round(beta(3, 4, n), 6),
            "danceability": np.round(beta(4, 3, n), 6),
            "dyn_range_mean": np.round(np.clip(rng.gamma(4, 2.0, n), 0, 52.6), 6),
            "energy": np.round(beta(3, 2.5, n), 6),
            "flatness": np.round(flatness, 6),
            "instrumentalness": np.round(beta(0.3, 3, n), 6),
            "key": rng.integers(0, 12, n),
            "liveness": np.round(beta(1.5, 8, n), 6),
            "loudness": np.round(loudness, 3),
            "mechanism": np.round(beta(3, 3, n), 6),
            "mode": np.where(rng.random(n) < 0.65, "major", "minor"),
            "organism": np.round(beta(2, 4, n), 6),
            "speechiness": np.round(beta(1.2, 12, n), 6),
            "tempo": np.round(tempo, 3),
            "time_signature": rng.choice([3, 4, 5], size=n, p=[0.08, 0.9, 0.02]),
            "valence": np.round(beta(2.5, 2.5, n), 6),
        }
    )
    for i in range(8):
        df[f"acoustic_vector_{i}"] = np.round(av[:, i], 6)

    def zs(x: pd.Series | np.ndarray) -> np.ndarray:
        v = np.asarray(x, dtype=float)
        return (v - v.mean()) / (v.std() + 1e-12)

    # popularity enters through its (normal) latent score: the heavy tail of the estimate
    # itself would let a few tracks dominate the standardised sum
    z = (
        0.55 * zs(df["speechiness"])
        - 0.6 * zs(-pop_latent)
        + 0.35 * zs(df["duration"])
        - 0.3 * zs(df["valence"])
        + 0.25 * zs(df["energy"])
        + 0.3 * zs(df["acoustic_vector_0"])
    )
    df["_z"] = z / z.std()
    df["_w"] = zipf_weights(n, 0.7, rng)
    df["_av"] = list(av / np.linalg.norm(av, axis=1, keepdims=True))
    return df


def _cat(rng: np.random.Generator, p: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Categorical draws with per-row probability matrix ``p`` (…, k) or one vector ``p``."""
    cum = np.cumsum(p, axis=-1)
    u = rng.random(shape)[..., None]
    return np.minimum((u >= cum).sum(axis=-1), p.shape[-1] - 1)


def simulate_chunk(rng: np.random.Generator, tracks: pd.DataFrame, n: int) -> dict[str, np.ndarray]:
    """Simulate ``n`` sessions as (n, 20) matrices (entries beyond ``length`` are padding)."""
    length = np.where(rng.random(n) < 0.4, 20, rng.integers(10, 20, n))
    pos = np.arange(1, MAX_LEN + 1)[None, :].repeat(n, 0)
    valid = pos <= length[:, None]
    n_tr = len(tracks)
    tidx = rng.choice(n_tr, size=(n, MAX_LEN), p=tracks["_w"].to_numpy())
    av = np.stack(tracks["_av"].to_numpy())
    match = np.einsum("ijk,ik->ij", av[tidx], av[tidx[:, 0]])
    z = tracks["_z"].to_numpy()[tidx]

    ctx0 = rng.choice(len(CONTEXTS), size=n, p=CONTEXT_P)
    ctx = ctx0[:, None].repeat(MAX_LEN, 1)
    switch_at = np.where(rng.random(n) < 0.06, rng.integers(2, 11, n), MAX_LEN + 1)
    ctx1 = rng.choice(len(CONTEXTS), size=n, p=CONTEXT_P)
    after = pos >= switch_at[:, None]
    ctx = np.where(after, ctx1[:, None], ctx)
    context_switch = pos == switch_at[:, None]
    shuffle = rng.random(n) < 0.3
    premium = rng.random(n) < 0.8
    hour = rng.choice(24, size=n, p=_hour_p())

    base = (
        B0
        + B_TRACK * z
        + B_MATCH * match
        + CTX_EFFECT[ctx]
        + (B_SHUFFLE * shuffle + B_FREE * ~premium)[:, None]
        + B_POS * (pos - 1) / (MAX_LEN - 1)
    )
    skip2 = np.zeros((n, MAX_LEN), dtype=bool)
    pause = np.zeros((n, MAX_LEN), dtype=np.int64)
    pause[:, 0] = _cat(rng, PAUSE_P_FIRST, (n,))
    skip2[:, 0] = rng.random(n) < _sigmoid(base[:, 0] + B_FIRST + PAUSE_EFFECT[pause[:, 0]])
    for i in range(1, MAX_LEN):
        prev = skip2[:, i - 1].astype(np.int64)
        pause[:, i] = _cat(rng, PAUSE_P[prev], (n,))
        logit = base[:, i] + B_PREV * prev + PAUSE_EFFECT[pause[:, i]]
        skip2[:, i] = rng.random(n) < _sigmoid(logit)
    skip1 = skip2 & (rng.random((n, MAX_LEN)) < 0.62)
    skip3 = skip2 | (rng.random((n, MAX_LEN)) < 0.12)

    # reason_end depends on the skip class and, for endplay/logout, on the next pause
    cls = np.where(skip2, 0, np.where(skip3, 1, 2))
    rend = _cat(rng, REASON_END_P[cls], (n, MAX_LEN))
    next_long = np.zeros((n, MAX_LEN), dtype=bool)
    next_long[:, :-1] = pause[:, 1:] == 2
    stop = next_long & (rng.random((n, MAX_LEN)) < 0.35)
    rend = np.where(stop, np.where(rng.random((n, MAX_LEN)) < 0.8, 3, 4), rend)
    last = pos == length[:, None]
    rend = np.where(last & (rng.random((n, MAX_LEN)) < 0.5), np.where(skip3, 3, 4), rend)
    # reason_start of event i+1 follows reason_end of event i
    end_to_start = np.array([0, 1, 2, 4, 5, 6, 3])  # index into REASON_START
    rstart = np.empty((n, MAX_LEN), dtype=np.int64)
    rstart[:, 0] = _cat(rng, FIRST_START_P, (n,))
    rstart[:, 1:] = end_to_start[rend[:, :-1]]
    endplay_prev = np.zeros((n, MAX_LEN), dtype=bool)
    endplay_prev[:, 1:] = rend[:, :-1] == 3
    rstart = np.where(endplay_prev & (rng.random((n, MAX_LEN)) < 0.4), 3, rstart)
    rstart = np.where(rng.random((n, MAX_LEN)) < 0.005, 7, rstart)

    seekfwd = np.where(
        rng.random((n, MAX_LEN)) < np.where(skip3, 0.12, 0.04), rng.integers(1, 4, (n, MAX_LEN)), 0
    )
    seekback = np.where(
        rng.random((n, MAX_LEN)) < np.where(skip3, 0.06, 0.04), rng.integers(1, 3, (n, MAX_LEN)), 0
    )
    return {
        "length": length,
        "pos": pos,
        "valid": valid,
        "tidx": tidx,
        "ctx": ctx,
        "context_switch": context_switch,
        "shuffle": shuffle,
        "premium": premium,
        "hour": hour,
        "base": base,
        "skip1": skip1,
        "skip2": skip2,
        "skip3": skip3,
        "pause": pause,
        "rend": rend,
        "rstart": rstart,
        "seekfwd": seekfwd,
        "seekback": seekback,
    }


def _hour_p() -> np.ndarray:
    h = np.arange(24)
    w = 0.3 + np.exp(-((h - 8) ** 2) / 6) + 1.3 * np.exp(-((h - 18) ** 2) / 12)
    return w / w.sum()


def oracle_probabilities(sim: dict[str, np.ndarray]) -> np.ndarray:
    """Exact P(skip_2 = 1) of every event given the observables and the first half.

    Returns an (n, 20) matrix; only second-half entries (2·pos > length) are meaningful.
    """
    base, skip2, pos, length = sim["base"], sim["skip2"], sim["pos"], sim["length"]
    q = np.zeros(base.shape + (2,))
    for k in (0, 1):
        for p in range(3):
            q[..., k] += PAUSE_P[k, p] * _sigmoid(base + B_PREV * k + PAUSE_EFFECT[p])
    n = base.shape[0]
    out = np.full(base.shape, np.nan)
    half = length // 2  # last first-half position (1-based)
    cur = skip2[np.arange(n), half - 1].astype(float)
    for i in range(1, MAX_LEN):  # 0-based column i is position i+1
        second = (pos[:, i] * 2 > length) & (pos[:, i] <= length)
        nxt = q[:, i, 1] * cur + q[:, i, 0] * (1 - cur)
        out[second, i] = nxt[second]
        cur = np.where(second, nxt, cur)
    return out


def spreadsheet_log(table: pa.Table, day: dt.date) -> bytes:
    """A session log as a spreadsheet saves it: ``date`` as DD/MM/YYYY, a ``row`` number
    column first, the other columns in another order; BOM and CRLF."""
    n = table.num_rows
    table = table.set_column(
        table.schema.get_field_index("date"), "date", pa.array([f"{day:%d/%m/%Y}"] * n)
    )
    table = table.select(reordered(table.column_names))
    table = table.add_column(0, "row", pa.array(np.arange(1, n + 1)))
    return with_bom(arrow_csv_bytes(table, eol="\r\n"))


def write_mssd(
    out_dir: Path, seed: int, scale: float, progress: bool = True, dirty: bool = False
) -> dict:
    """Write ``mssd/`` (track features, session logs, oracle) and return counts and figures;
    ``dirty=True`` writes the same rows in the spreadsheet layout (module docstring)."""
    root = out_dir / "mssd"
    tracks = build_tracks(seed, scale)
    tf = tracks[TF_COLUMNS]
    if dirty:
        tf_bytes = pandas_export_bytes(tf[reordered(TF_COLUMNS)])
    else:
        tf_bytes = arrow_csv_bytes(pa.Table.from_pandas(tf, preserve_index=False))
    write_bytes(root / "track_features" / "tf_000000000000.csv", tf_bytes)
    n_sessions = max(50, round(15000 * scale))
    # ~5,000 sessions per file, and always ≥ 2 files so both .csv and .csv.gz exist
    n_files = max(2, -(-n_sessions // SESSIONS_PER_FILE))
    per_file = -(-n_sessions // n_files)
    track_ids = tracks["track_id"].to_numpy()
    oracle_path = root / "_oracle" / "skip_oracle.csv"
    oracle_path.parent.mkdir(parents=True, exist_ok=True)
    aa = {"repeat_last": [], "oracle": [], "random": [], "all_skip": []}
    n_events = n_skip = 0
    with open(oracle_path, "wb") as oracle_fh:
        for f in tqdm(range(n_files), desc="mssd", unit="file", disable=not progress):
            n = min(per_file, n_sessions - f * per_file)
            rng = sub_rng(seed, "mssd_sessions", f)
            sim = simulate_chunk(rng, tracks, n)
            day = START_DATE + dt.timedelta(days=f // FILES_PER_DAY)
            k = f % FILES_PER_DAY
            sids = (f"{k}_" + pd.Series(uuid4_strings(rng, n), dtype=object)).to_numpy()
            order = np.argsort(sids, kind="stable")
            sim = {
                key: (v[order] if isinstance(v, np.ndarray) and v.shape[0] == n else v)
                for key, v in sim.items()
            }
            sids = sids[order]
            valid = sim["valid"]
            rows = np.nonzero(valid)
            ns = len(rows[0])
            n_events += ns
            n_skip += int(sim["skip2"][valid].sum())

            def ev(m: np.ndarray) -> np.ndarray:
                return m[rows]  # noqa: B023 - rows is fixed per chunk

            pause = ev(sim["pause"])
            length_ev = sim["length"][rows[0]]
            table = pa.table(
                {
                    "session_id": sids[rows[0]],
                    "session_position": ev(sim["pos"]),
                    "session_length": length_ev,
                    "track_id_clean": track_ids[ev(sim["tidx"])],
                    "skip_1": ev(sim["skip1"]),
                    "skip_2": ev(sim["skip2"]),
                    "skip_3": ev(sim["skip3"]),
                    "not_skipped": ~ev(sim["skip3"]),
                    "context_switch": ev(sim["context_switch"]).astype(int),
                    "no_pause_before_play": (pause == 0).astype(int),
                    "short_pause_before_play": (pause == 1).astype(int),
                    "long_pause_before_play": (pause == 2).astype(int),
                    "hist_user_behavior_n_seekfwd": ev(sim["seekfwd"]),
                    "hist_user_behavior_n_seekback": ev(sim["seekback"]),
                    "hist_user_behavior_is_shuffle": sim["shuffle"][rows[0]],
                    "hour_of_day": sim["hour"][rows[0]],
                    "date": np.full(ns, day.isoformat(), dtype=object),
                    "premium": sim["premium"][rows[0]],
                    "context_type": CONTEXTS[ev(sim["ctx"])],
                    "hist_user_behavior_reason_start": REASON_START[ev(sim["rstart"])],
                    "hist_user_behavior_reason_end": REASON_END[ev(sim["rend"])],
                }
            )
            last = f == n_files - 1
            name = f"log_{k}_{day:%Y%m%d}_000000000000.csv" + (".gz" if last else "")
            data = spreadsheet_log(table, day) if dirty else arrow_csv_bytes(table)
            write_bytes(root / "training_set" / name, data, gz=last)

            # oracle + realism figures on the second halves
            p = oracle_probabilities(sim)
            second = valid & (sim["pos"] * 2 > sim["length"][:, None])
            srows = np.nonzero(second)
            truth = sim["skip2"][srows]
            p_ev = p[srows]
            otable = pa.table(
                {
                    "session_id": sids[srows[0]],
                    "session_position": sim["pos"][srows],
                    "p_skip_2": np.round(p_ev, 6),
                    "pred_skip_2": p_ev >= 0.5,
                }
            )
            oracle_fh.write(arrow_csv_bytes(otable, header=(f == 0)))
            half = sim["length"] // 2
            last_obs = sim["skip2"][np.arange(n), half - 1][srows[0]]
            sess = srows[0]
            aa["repeat_last"].append(session_average_accuracies(sess, last_obs, truth))
            aa["oracle"].append(session_average_accuracies(sess, p_ev >= 0.5, truth))
            aa["random"].append(
                session_average_accuracies(sess, rng.random(len(truth)) < 0.5, truth)
            )
            aa["all_skip"].append(session_average_accuracies(sess, np.ones_like(truth), truth))
    figures = {f"maa_{k}": float(np.mean(np.concatenate(v))) for k, v in aa.items()}
    return {
        "mssd_tracks": len(tracks),
        "mssd_sessions": n_sessions,
        "mssd_events": n_events,
        "mssd_files": n_files,
        "skip_2_rate": n_skip / n_events,
        **figures,
    }
