"""Vectorised identifiers and deterministic sub-generators.

Every source gets its own ``numpy.random.Generator`` derived from the run seed and a
fixed stream name, so adding draws to one source never changes another source's bytes.
"""

from __future__ import annotations

import zlib

import numpy as np

BASE62 = np.frombuffer(
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", dtype=np.uint8
)
HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def sub_rng(seed: int, stream: str, *extra: int) -> np.random.Generator:
    """A generator for one named stream (and optional chunk numbers) of one run seed."""
    return np.random.default_rng([seed, zlib.crc32(stream.encode()), *extra])


def base62_ids(rng: np.random.Generator, n: int, length: int = 22) -> np.ndarray:
    """``n`` distinct Spotify-style base62 ids (object array of str)."""
    codes = BASE62[rng.integers(0, 62, size=(n, length))]
    ids = np.ascontiguousarray(codes).view(f"S{length}").ravel().astype(str).astype(object)
    if len(set(ids)) != n:  # astronomically unlikely; keep the guarantee anyway
        raise RuntimeError("base62 id collision; change the seed")
    return ids


def uuid4_strings(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` uuid4-shaped lowercase hex strings ``8-4-4-4-12`` (object array of str)."""
    digits = rng.integers(0, 16, size=(n, 32))
    digits[:, 12] = 4
    digits[:, 16] = 8 + (digits[:, 16] % 4)
    chars = HEX[digits]
    out = np.full((n, 36), ord("-"), dtype=np.uint8)
    out[:, 0:8] = chars[:, 0:8]
    out[:, 9:13] = chars[:, 8:12]
    out[:, 14:18] = chars[:, 12:16]
    out[:, 19:23] = chars[:, 16:20]
    out[:, 24:36] = chars[:, 20:32]
    return np.ascontiguousarray(out).view("S36").ravel().astype(str).astype(object)


def zipf_weights(n: int, exponent: float, rng: np.random.Generator) -> np.ndarray:
    """Zipf weights ``1 / rank**exponent`` over a random permutation of ``n`` items."""
    ranks = rng.permutation(n) + 1
    w = 1.0 / ranks.astype(np.float64) ** exponent
    return w / w.sum()


def weighted_pick_within(
    rng: np.random.Generator,
    groups: np.ndarray,
    group_of_item: np.ndarray,
    weights: np.ndarray,
) -> np.ndarray:
    """For each entry of ``groups`` draw one item of that group, proportional to ``weights``.

    Vectorised: items are sorted by group, and a uniform draw inside each group's slice of
    the cumulative weight is located with ``searchsorted``.
    """
    order = np.argsort(group_of_item, kind="stable")
    w_sorted = weights[order]
    cum = np.cumsum(w_sorted)
    n_groups = int(group_of_item.max()) + 1
    counts = np.bincount(group_of_item, minlength=n_groups)
    ends = np.cumsum(counts)
    starts = ends - counts
    lo = np.where(starts > 0, cum[np.maximum(starts - 1, 0)], 0.0)
    hi = cum[np.maximum(ends - 1, 0)]
    if np.any(counts[groups] == 0):
        raise ValueError("a requested group has no items")
    u = lo[groups] + rng.random(len(groups)) * (hi[groups] - lo[groups])
    pos = np.searchsorted(cum, u, side="right")
    pos = np.clip(pos, starts[groups], ends[groups] - 1)
    return order[pos]
