"""Similarity between embedding vectors (lesson 01).

Vectors are rows: a single vector has shape ``(d,)``, a set of ``n`` vectors ``(n, d)``.
Every function checks its input and raises a ``ValueError`` that says what was expected:
mismatched dimensions, NaN or infinity, a zero vector where cosine is undefined, or more
neighbours than there are rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

__all__ = [
    "dot",
    "cosine",
    "euclidean",
    "normalize",
    "pairwise_dot",
    "pairwise_cosine",
    "pairwise_euclidean",
    "top_k",
    "METRICS",
]

METRICS = ("cosine", "dot", "euclidean")

# Rows of `matrix` scored per block in top_k: 2**16 rows x 64 queries of float32 is 16 MB.
_QUERY_BLOCK = 64


def _as_array(x, name: str, ndim: int | tuple[int, ...]) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise ValueError(f"{name} must be numeric, got dtype {arr.dtype}")
    ndims = (ndim,) if isinstance(ndim, int) else ndim
    if arr.ndim not in ndims:
        shape = " or ".join({1: "(d,)", 2: "(n, d)"}[n] for n in ndims)
        raise ValueError(f"{name} must have shape {shape}, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape})")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    return arr


def _check_same_dim(a: np.ndarray, b: np.ndarray, names: str) -> None:
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(f"{names} must have the same dimension, got {a.shape[-1]} and {b.shape[-1]}")


def _pair(a, b, names=("a", "b")) -> tuple[np.ndarray, np.ndarray]:
    a = _as_array(a, names[0], 1)
    b = _as_array(b, names[1], 1)
    _check_same_dim(a, b, f"{names[0]} and {names[1]}")
    return a, b


def dot(a, b) -> float:
    """Dot product of two vectors, ``sum_i a_i b_i``."""
    a, b = _pair(a, b)
    return float(a @ b)


def cosine(a, b) -> float:
    """Cosine similarity ``a.b / (|a| |b|)``, in [-1, 1]; undefined for a zero vector."""
    a, b = _pair(a, b)
    return float(normalize(a, name="a") @ normalize(b, name="b"))


def euclidean(a, b) -> float:
    """Euclidean distance ``|a - b|``."""
    a, b = _pair(a, b)
    return float(np.linalg.norm(a - b))


def normalize(x, name: str = "x") -> np.ndarray:
    """Scale a vector, or every row of a matrix, to unit L2 norm.

    A zero vector has no direction, so it raises instead of silently returning NaN.
    """
    arr = _as_array(x, name, (1, 2))
    norms = np.linalg.norm(arr, axis=-1, keepdims=True)
    zero = np.flatnonzero(norms.ravel() == 0)
    if zero.size:
        where = "" if arr.ndim == 1 else f" (rows {zero[:5].tolist()}{'...' if zero.size > 5 else ''})"
        raise ValueError(f"cannot normalise a zero vector{where} of {name}: cosine similarity is undefined for it")
    return arr / norms


def _matrices(A, B) -> tuple[np.ndarray, np.ndarray]:
    A = _as_array(A, "A", 2)
    B = A if B is None else _as_array(B, "B", 2)
    _check_same_dim(A, B, "rows of A and B")
    return A, B


def pairwise_dot(A, B=None) -> np.ndarray:
    """Matrix of dot products, ``out[i, j] = A[i] . B[j]`` (``B`` defaults to ``A``)."""
    A, B = _matrices(A, B)
    return A @ B.T


def pairwise_cosine(A, B=None) -> np.ndarray:
    """Matrix of cosine similarities between the rows of ``A`` and of ``B`` (default ``A``)."""
    A, B = _matrices(A, B)
    An = normalize(A, "A")
    Bn = An if B is A else normalize(B, "B")
    return np.clip(An @ Bn.T, -1.0, 1.0)


def pairwise_euclidean(A, B=None) -> np.ndarray:
    """Matrix of Euclidean distances, computed as ``sqrt(|a|^2 + |b|^2 - 2 a.b)``."""
    A, B = _matrices(A, B)
    sq = (A * A).sum(1)[:, None] + (B * B).sum(1)[None, :] - 2 * (A @ B.T)
    return np.sqrt(np.maximum(sq, 0.0))


def top_k(
    queries,
    matrix,
    k: int = 10,
    metric: str = "cosine",
    exclude: Iterable[int] | Sequence[Iterable[int]] | None = None,
    normalized: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` rows of ``matrix`` nearest to each query, brute force.

    Returns ``(indices, scores)``, both of shape ``(n_queries, k)`` (``(k,)`` for a single
    query vector), best first: highest similarity for ``"cosine"`` and ``"dot"``, smallest
    distance for ``"euclidean"``. Queries are scored in blocks, so the full score matrix
    is never held in memory (1,000 queries x 400k rows would be 1.6 GB in float32).

    ``exclude`` removes rows from the answer: one collection of row indices for every
    query, or one collection per query (e.g. the query words themselves).
    ``normalized=True`` promises that the rows of ``matrix`` already have unit norm
    (skips re-normalising a large matrix on every call).
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
    single = np.ndim(queries) == 1
    Q = _as_array(np.atleast_2d(queries) if single else queries, "queries", 2)
    M = _as_array(matrix, "matrix", 2)
    _check_same_dim(Q, M, "queries and matrix rows")
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    excluded = _exclusions(exclude, len(Q), len(M))
    available = len(M) - max((len(e) for e in excluded), default=0)
    if k > available:
        raise ValueError(f"k={k} is larger than the {available} candidate rows of the matrix")

    dtype = np.result_type(Q.dtype, M.dtype)
    if metric == "cosine":
        Q = normalize(Q, "queries")
        if not normalized:
            M = normalize(M, "matrix")
    M = M.astype(dtype, copy=False)
    Q = Q.astype(dtype, copy=False)
    m_sq = (M * M).sum(1) if metric == "euclidean" else None

    indices = np.empty((len(Q), k), dtype=np.int64)
    scores = np.empty((len(Q), k), dtype=dtype)
    for start in range(0, len(Q), _QUERY_BLOCK):
        block = Q[start : start + _QUERY_BLOCK]
        s = block @ M.T
        if metric == "euclidean":  # -|q - m|^2 up to the per-query constant |q|^2
            s = 2 * s - m_sq
        for row, rows_out in enumerate(excluded[start : start + len(block)]):
            if rows_out:
                s[row, list(rows_out)] = -np.inf
        part = np.argpartition(s, -k, axis=1)[:, -k:]  # the k best, unordered: O(n) per query
        part_scores = np.take_along_axis(s, part, axis=1)
        order = np.argsort(-part_scores, axis=1, kind="stable")
        indices[start : start + len(block)] = np.take_along_axis(part, order, axis=1)
        scores[start : start + len(block)] = np.take_along_axis(part_scores, order, axis=1)

    if metric == "euclidean":
        q_sq = (Q * Q).sum(1)[:, None]
        scores = np.sqrt(np.maximum(q_sq - scores, 0.0))
    elif metric == "cosine":
        scores = np.clip(scores, -1.0, 1.0)
    return (indices[0], scores[0]) if single else (indices, scores)


def _exclusions(exclude, n_queries: int, n_rows: int) -> list[set[int]]:
    if exclude is None:
        return [set()] * n_queries
    items = list(exclude)
    per_query = len(items) > 0 and all(isinstance(e, Iterable) and not isinstance(e, str) for e in items)
    sets = [set(map(int, e)) for e in items] if per_query else [set(map(int, items))] * n_queries
    if len(sets) != n_queries:
        raise ValueError(f"exclude has {len(sets)} entries but there are {n_queries} queries")
    for s in sets:
        bad = [i for i in s if not 0 <= i < n_rows]
        if bad:
            raise ValueError(f"exclude refers to rows {bad[:5]} outside the matrix of {n_rows} rows")
    return sets
