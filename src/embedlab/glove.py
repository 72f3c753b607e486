"""GloVe from scratch, and the count-based baseline PPMI + SVD (lesson 04).

Lesson 04 derives every piece of this module step by step:

1. :func:`cooccurrence` counts how often two words appear near each other: a symmetric
   window of ``window`` words on each side, a pair at distance ``k`` adding ``1/k``
   (Pennington et al. 2014, as in ``cooccur.c``). Words outside the vocabulary are
   dropped *before* windowing and windows stop at sentence ends. Vectorised: one sparse
   matrix per distance ``k``, no Python loop over tokens.
2. :func:`loss_and_grads` is GloVe's weighted least squares on log counts,
   ``J = sum_ij f(X_ij) (w_i . w~_j + b_i + b~_j - log X_ij)^2`` with
   ``f(x) = min(1, (x / x_max)^alpha)``, over the non-zero cells of ``X``.
3. :func:`train` minimises it with AdaGrad on shuffled minibatches of cells, in NumPy,
   with a tqdm progress bar and the loss of every epoch; the word vectors are ``W + W~``.
4. :func:`ppmi` and :func:`svd_vectors` build the count-based baseline from the same
   counts (Levy, Goldberg & Dagan 2015).

Train on the full corpus (about 15 minutes on a busy 2-core machine) and write the committed result::

    python -m embedlab.glove --corpus full --out data/models/glove --learning-rate 0.5
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
from scipy import sparse

from embedlab import data as _data

__all__ = [
    "Cooccurrences",
    "cooccurrence",
    "cooccurrence_from_ids",
    "context_counts",
    "weighting",
    "GloVeParams",
    "scatter_rows",
    "loss_and_grads",
    "GloVeConfig",
    "GloVeModel",
    "init_params",
    "train",
    "ppmi",
    "svd_vectors",
    "ppmi_svd",
    "save_vectors",
    "load_vectors",
    "load_result",
]

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "data" / "models" / "glove"


# --------------------------------------------------------------------------- counting


@dataclass(frozen=True, eq=False)
class Cooccurrences:
    """A vocabulary (most frequent first), its token counts and the co-occurrence matrix.

    ``matrix[i, j]`` is the distance-weighted number of times word ``j`` appears within
    ``window`` words of word ``i``; it is symmetric (csr, float64).
    """

    words: list[str]
    counts: np.ndarray
    matrix: sparse.csr_matrix
    window: int

    def __len__(self) -> int:
        return len(self.words)

    @cached_property
    def index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}

    def __repr__(self) -> str:
        return f"Cooccurrences({len(self):,} words, {self.matrix.nnz:,} non-zero cells, window={self.window})"


def _check_window(window) -> int:
    if not isinstance(window, (int, np.integer)) or isinstance(window, bool) or window < 1:
        raise ValueError(f"window must be a positive integer (words on each side), got {window!r}")
    return int(window)


def cooccurrence_from_ids(ids, offsets, vocab_size: int, window: int = 10,
                          distance_weighting: bool = True) -> sparse.csr_matrix:
    """Symmetric co-occurrence matrix of token ids ``0..vocab_size-1``.

    ``ids`` are the tokens of all sentences concatenated and sentence ``s`` is
    ``ids[offsets[s]:offsets[s+1]]``. Ids ``>= vocab_size`` (rare words) are removed
    first, so their neighbours close the gap, as GloVe's ``cooccur.c`` does. A pair at
    distance ``k <= window`` adds ``1/k`` (or 1 with ``distance_weighting=False``)
    to both ``X[a, b]`` and ``X[b, a]``.
    """
    window = _check_window(window)
    ids = np.asarray(ids)
    offsets = np.asarray(offsets)
    if ids.ndim != 1 or offsets.ndim != 1 or len(offsets) < 1 or offsets[0] != 0 or offsets[-1] != len(ids):
        raise ValueError("offsets must start at 0 and end at len(ids) (one entry per sentence boundary)")
    if np.any(np.diff(offsets) < 0):
        raise ValueError("offsets must be non-decreasing")
    if ids.size and ids.min() < 0:
        raise ValueError("token ids must be non-negative")
    sentence = np.repeat(np.arange(len(offsets) - 1, dtype=np.int64), np.diff(offsets))
    keep = ids < vocab_size
    ids, sentence = ids[keep].astype(np.int64), sentence[keep]
    upper = sparse.csr_matrix((vocab_size, vocab_size), dtype=np.float64)
    for k in range(1, window + 1):
        # every (token, token k places later) pair inside one sentence, all at once
        same = sentence[k:] == sentence[:-k]
        left, right = ids[:-k][same], ids[k:][same]
        weight = 1.0 / k if distance_weighting else 1.0
        upper = upper + sparse.csr_matrix(
            (np.full(len(left), weight), (left, right)), shape=(vocab_size, vocab_size))
    matrix = (upper + upper.T).tocsr()
    matrix.sum_duplicates()
    matrix.sort_indices()
    return matrix


def cooccurrence(corpus, window: int = 10, min_count: int = 5, max_vocab: int | None = None,
                 distance_weighting: bool = True) -> Cooccurrences:
    """Count co-occurrences in a corpus: an ``embedlab.data.Corpus`` or token lists.

    The vocabulary is every word seen at least ``min_count`` times (at most the
    ``max_vocab`` most frequent), most frequent first, ties alphabetical.
    """
    window = _check_window(window)
    if not isinstance(min_count, (int, np.integer)) or min_count < 1:
        raise ValueError(f"min_count must be a positive integer, got {min_count!r}")
    if max_vocab is not None and (not isinstance(max_vocab, (int, np.integer)) or max_vocab < 1):
        raise ValueError(f"max_vocab must be a positive integer or None, got {max_vocab!r}")
    if hasattr(corpus, "ids") and hasattr(corpus, "offsets"):  # embedlab.data.Corpus: sorted by count
        words, counts, ids, offsets = corpus.words, np.asarray(corpus.counts), corpus.ids, corpus.offsets
    else:
        words, counts, ids, offsets = _encode(corpus)
    size = int(np.count_nonzero(counts >= min_count))
    if max_vocab is not None:
        size = min(size, int(max_vocab))
    if size == 0:
        raise ValueError(f"no word occurs {min_count} times or more; lower min_count")
    matrix = cooccurrence_from_ids(ids, offsets, size, window, distance_weighting)
    return Cooccurrences(list(words[:size]), np.asarray(counts[:size], dtype=np.int64), matrix, window)


def context_counts(corpus, targets: Sequence[str], window: int = 10, vocab_size: int | None = None,
                   sentences=None) -> np.ndarray:
    """Rows of the co-occurrence matrix for a few ``targets`` only, without building it all.

    Same counting as :func:`cooccurrence` with ``vocab_size`` words (default: all words
    of the ``embedlab.data.Corpus``), but touching only the targets' occurrences, so it
    takes a fraction of a second on the full corpus. Returns ``(len(targets), vocab_size)``.
    ``sentences``: optional boolean mask over the corpus' sentences; only those are counted
    (e.g. ``corpus.sources == k`` for the sentences of one source text).
    """
    window = _check_window(window)
    vocab_size = corpus.vocab_size if vocab_size is None else int(vocab_size)
    index = corpus.word_to_id
    missing = [t for t in targets if t not in index or index[t] >= vocab_size]
    if missing:
        raise KeyError(f"{missing} not among the {vocab_size} words of the corpus vocabulary")
    sentence = np.repeat(np.arange(len(corpus), dtype=np.int64), np.diff(corpus.offsets))
    keep = corpus.ids < vocab_size
    if sentences is not None:
        sentences = np.asarray(sentences)
        if sentences.dtype != bool or sentences.shape != (len(corpus),):
            raise ValueError(f"sentences must be a boolean mask of shape ({len(corpus)},), "
                             f"got {sentences.dtype} {sentences.shape}")
        keep &= sentences[sentence]
    ids, sentence = corpus.ids[keep], sentence[keep]
    out = np.zeros((len(targets), vocab_size))
    for row, target in enumerate(targets):
        where = np.flatnonzero(ids == index[target])
        for k in range(1, window + 1):
            for other in (where - k, where + k):  # both sides: the window is symmetric
                ok = (other >= 0) & (other < len(ids))
                ok[ok] &= sentence[other[ok]] == sentence[where[ok]]
                out[row] += np.bincount(ids[other[ok]], minlength=vocab_size) / k
    return out


def _encode(sentences: Iterable[Sequence[str]]):
    if isinstance(sentences, str):
        raise TypeError("pass sentences as lists of tokens, e.g. [text.split()], not one string")
    sentences = [list(s) for s in sentences]
    for s in sentences:
        if not all(isinstance(t, str) for t in s):
            raise TypeError("each sentence must be a sequence of string tokens")
    frequency = Counter(t for s in sentences for t in s)
    words = sorted(frequency, key=lambda w: (-frequency[w], w))
    index = {w: i for i, w in enumerate(words)}
    ids = np.array([index[t] for s in sentences for t in s], dtype=np.int64)
    offsets = np.zeros(len(sentences) + 1, dtype=np.int64)
    np.cumsum([len(s) for s in sentences], out=offsets[1:])
    counts = np.array([frequency[w] for w in words], dtype=np.int64)
    return words, counts, ids, offsets


# --------------------------------------------------------------------------- objective


def weighting(x, x_max: float = 100.0, alpha: float = 0.75) -> np.ndarray:
    """GloVe's weight ``f(x) = (x / x_max)^alpha`` below ``x_max``, 1 above (paper eq. 9)."""
    x = np.asarray(x)
    return np.minimum(1.0, (x / x_max) ** alpha).astype(x.dtype if x.dtype.kind == "f" else np.float64)


@dataclass
class GloVeParams:
    """Word vectors ``W``, context vectors ``Wc`` and their biases ``b``, ``bc``."""

    W: np.ndarray
    Wc: np.ndarray
    b: np.ndarray
    bc: np.ndarray

    def arrays(self) -> tuple[np.ndarray, ...]:
        return self.W, self.Wc, self.b, self.bc


def init_params(vocab_size: int, dim: int, seed: int = 0, dtype=np.float32) -> GloVeParams:
    """Uniform in ``[-0.5, 0.5) / dim``, biases included, as in the reference ``glove.c``."""
    if vocab_size < 1 or dim < 1:
        raise ValueError(f"vocab_size and dim must be positive, got {vocab_size} and {dim}")
    rng = np.random.default_rng(seed)
    W, Wc = ((rng.random((2, vocab_size, dim)) - 0.5) / dim).astype(dtype)
    b, bc = ((rng.random((2, vocab_size)) - 0.5) / dim).astype(dtype)
    return GloVeParams(W, Wc, b, bc)


def _entry_terms(params: GloVeParams, rows, cols, x, x_max, alpha):
    """Per cell: weight f, residual w.w~ + b + b~ - log x, and the two vector rows."""
    w, wc = params.W[rows], params.Wc[cols]
    residual = np.einsum("ij,ij->i", w, wc) + params.b[rows] + params.bc[cols] - np.log(x)
    return weighting(x, x_max, alpha).astype(residual.dtype), residual, w, wc


def scatter_rows(index, values, n_rows: int) -> np.ndarray:
    """``out[r] = sum of values[k] for index[k] == r``: summed gradients of repeated words."""
    values = np.asarray(values)
    flat = values.reshape(len(values), -1)
    matrix = sparse.csr_matrix((np.ones(len(index), dtype=flat.dtype), (index, np.arange(len(index)))),
                               shape=(n_rows, len(index)))
    return (matrix @ flat).reshape((n_rows,) + values.shape[1:])


def loss_and_grads(params: GloVeParams, rows, cols, x, x_max: float = 100.0, alpha: float = 0.75):
    """GloVe's loss over the cells ``(rows[k], cols[k])`` with counts ``x``, and its gradient.

    ``J = sum_k f(x_k) (w_r . w~_c + b_r + b~_c - log x_k)^2`` (paper eq. 8). Returns
    ``(J, GloVeParams of gradients)`` with the same shapes as ``params``.
    """
    rows, cols, x = np.asarray(rows), np.asarray(cols), np.asarray(x)
    if not (rows.shape == cols.shape == x.shape) or rows.ndim != 1:
        raise ValueError(f"rows, cols and x must be 1-D of one length, got {rows.shape}, {cols.shape}, {x.shape}")
    if np.any(x <= 0):
        raise ValueError("co-occurrence counts x must be positive (log x is undefined at 0)")
    f, residual, w, wc = _entry_terms(params, rows, cols, x, x_max, alpha)
    g = 2 * f * residual  # dJ / d(residual), one number per cell
    n = len(params.W)
    grads = GloVeParams(
        W=scatter_rows(rows, g[:, None] * wc, n),
        Wc=scatter_rows(cols, g[:, None] * w, n),
        b=scatter_rows(rows, g, n),
        bc=scatter_rows(cols, g, n),
    )
    return float(np.sum(f * residual**2)), grads


# --------------------------------------------------------------------------- training


@dataclass(frozen=True)
class GloVeConfig:
    """Hyper-parameters. The paper uses ``x_max=100`` and learning rate 0.05 for billions of
    tokens; our corpus has millions, so its counts are small: ``x_max=10`` gives the
    rarer pairs weight, and minibatches (which update a frequent word once per batch
    rather than once per cell) need a larger rate. ``alpha=3/4`` as in the paper."""

    dim: int = 50
    epochs: int = 25
    learning_rate: float = 0.5
    x_max: float = 10.0
    alpha: float = 0.75
    batch_size: int = 16384
    seed: int = 0

    def __post_init__(self):
        for name in ("dim", "epochs", "batch_size"):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        for name in ("learning_rate", "x_max", "alpha"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)!r}")


@dataclass
class GloVeModel:
    """A trained GloVe model: parameters, vocabulary, loss per epoch and timing."""

    words: list[str]
    params: GloVeParams
    config: GloVeConfig
    losses: list[float] = field(default_factory=list)
    seconds_per_epoch: list[float] = field(default_factory=list)

    @property
    def vectors(self) -> np.ndarray:
        """``W + W~``: the paper's final vectors (both see the same symmetric counts)."""
        return self.params.W + self.params.Wc

    def word_vectors(self, name: str = "GloVe (ours)"):
        from embedlab.vectors import WordVectors

        return WordVectors(self.words, self.vectors, name=name)


def _adagrad_step(param, sq_sum, rows, grad, lr):
    """AdaGrad on the touched rows only: each weight's step shrinks with its squared-gradient history.

    The history ``sq_sum`` starts at 1 (as in ``glove.c``), and the step divides by
    ``sqrt(G + g^2)``, i.e. after adding the current gradient; ``glove.c`` divides by the
    old ``G`` and accumulates ``g^2`` afterwards. Both are AdaGrad; the step sizes differ a little.
    """
    history = sq_sum[rows] + grad**2  # `rows` are unique, so plain fancy-index assignment is safe
    sq_sum[rows] = history
    param[rows] -= lr * grad / np.sqrt(history)


def train(cooc: Cooccurrences, config: GloVeConfig = GloVeConfig(), progress: bool = True,
          params: GloVeParams | None = None) -> GloVeModel:
    """Fit GloVe to the non-zero cells of ``cooc.matrix`` with minibatch AdaGrad.

    Every epoch visits the cells in a fresh random order (seeded by ``config.seed``),
    ``config.batch_size`` at a time; the gradients of a word repeated within a batch are
    summed before its AdaGrad step. ``losses[e]`` is the mean of
    ``f(x) (w.w~ + b + b~ - log x)^2`` over the cells during epoch ``e``. Deterministic
    for a given config.
    """
    from tqdm import tqdm

    if not isinstance(cooc, Cooccurrences):
        raise TypeError(f"train expects the Cooccurrences returned by cooccurrence(), got {type(cooc).__name__}")
    coo = cooc.matrix.tocoo()
    if coo.nnz == 0:
        raise ValueError("the co-occurrence matrix is empty: nothing to train on")
    rows, cols = coo.row.astype(np.int64), coo.col.astype(np.int64)
    x = coo.data.astype(np.float32)
    n = len(cooc.words)
    params = params or init_params(n, config.dim, config.seed)
    sq_sums = [np.ones_like(a) for a in params.arrays()]  # glove.c starts AdaGrad's sums at 1
    rng = np.random.default_rng(config.seed)
    model = GloVeModel(list(cooc.words), params, config)
    bar = tqdm(range(config.epochs), desc="GloVe epochs", disable=not progress, file=sys.stdout,
               ascii=True, ncols=80)
    for _ in bar:
        start = time.perf_counter()
        order = rng.permutation(len(x))
        total = 0.0
        for begin in range(0, len(order), config.batch_size):
            batch = order[begin:begin + config.batch_size]
            total += _train_batch(params, sq_sums, rows[batch], cols[batch], x[batch], config)
        model.losses.append(total / len(x))
        model.seconds_per_epoch.append(time.perf_counter() - start)
        bar.set_postfix(loss=f"{model.losses[-1]:.4f}")
    return model


def _train_batch(params: GloVeParams, sq_sums, rows, cols, x, config: GloVeConfig) -> float:
    f, residual, w, wc = _entry_terms(params, rows, cols, x, config.x_max, config.alpha)
    g = 2 * f * residual
    # Gradients of the touched rows only, summed over repeats (a compact scatter).
    for side, (index, other) in enumerate(((rows, wc), (cols, w))):
        touched, position = np.unique(index, return_inverse=True)
        stacked = np.concatenate([g[:, None] * other, g[:, None]], axis=1)
        summed = scatter_rows(position, stacked, len(touched))
        vectors, biases = (params.W, params.b) if side == 0 else (params.Wc, params.bc)
        sq_vec, sq_bias = sq_sums[0 + side], sq_sums[2 + side]
        _adagrad_step(vectors, sq_vec, touched, summed[:, :-1], config.learning_rate)
        _adagrad_step(biases, sq_bias, touched, summed[:, -1], config.learning_rate)
    return float(np.sum(f * residual**2))


# --------------------------------------------------------------------------- PPMI + SVD


def ppmi(matrix, context_smoothing: float = 0.75) -> sparse.csr_matrix:
    """Positive pointwise mutual information of a co-occurrence matrix (sparse in, sparse out).

    ``PPMI_ij = max(0, log P(i, j) / (P(i) P_s(j)))`` where ``P_s`` raises context counts
    to ``context_smoothing`` (0.75, Levy et al. 2015) so rare contexts do not dominate.
    Zero cells stay zero (their PMI would be minus infinity).
    """
    if not 0 < context_smoothing <= 1:
        raise ValueError(f"context_smoothing must be in (0, 1], got {context_smoothing!r}")
    M = sparse.csr_matrix(matrix, dtype=np.float64)
    if M.ndim != 2 or M.shape[0] != M.shape[1]:
        raise ValueError(f"expected a square co-occurrence matrix, got shape {M.shape}")
    if M.nnz and M.data.min() < 0:
        raise ValueError("co-occurrence counts must be non-negative")
    total = M.sum()
    if total == 0:
        raise ValueError("the co-occurrence matrix is all zeros")
    row_p = np.asarray(M.sum(axis=1)).ravel() / total
    smoothed = np.asarray(M.sum(axis=0)).ravel() ** context_smoothing
    col_p = smoothed / smoothed.sum()
    coo = M.tocoo()
    pmi = np.log(coo.data / total) - np.log(row_p[coo.row]) - np.log(col_p[coo.col])
    keep = pmi > 0
    out = sparse.csr_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=M.shape)
    out.sort_indices()
    return out


def svd_vectors(matrix, dim: int = 50, eigenvalue_weight: float = 0.5, seed: int = 0) -> np.ndarray:
    """Rows of ``U_d * S_d^p`` from the rank-``dim`` truncated SVD of a sparse matrix.

    ``p = 0.5`` (``eigenvalue_weight``) works better than the textbook ``p = 1`` for word
    similarity (Levy et al. 2015). Signs are fixed (each column's largest entry positive),
    so the result is deterministic.
    """
    from scipy.sparse.linalg import svds

    M = sparse.csr_matrix(matrix, dtype=np.float64)
    if not 0 < dim < min(M.shape):
        raise ValueError(f"dim must be between 1 and {min(M.shape) - 1} for a {M.shape} matrix, got {dim}")
    v0 = np.random.default_rng(seed).uniform(-1, 1, min(M.shape))
    U, S, _ = svds(M, k=dim, v0=v0, solver="arpack")
    order = np.argsort(-S)
    U, S = U[:, order], S[order]
    U *= np.sign(U[np.abs(U).argmax(axis=0), np.arange(dim)])
    return (U * S**eigenvalue_weight).astype(np.float32)


def ppmi_svd(cooc: Cooccurrences, dim: int = 50, context_smoothing: float = 0.75,
             eigenvalue_weight: float = 0.5, seed: int = 0):
    """The count-based baseline as ``WordVectors``: PPMI of the counts, then truncated SVD."""
    from embedlab.vectors import WordVectors

    vectors = svd_vectors(ppmi(cooc.matrix, context_smoothing), dim, eigenvalue_weight, seed)
    return WordVectors(cooc.words, vectors, name="PPMI-SVD (ours)")


# --------------------------------------------------------------------------- files


def save_vectors(path, words: Sequence[str], vectors, dtype=np.float16) -> str:
    """Write words and vectors to a compressed ``.npz``; returns the file's sha256."""
    from embedlab.vectors import WordVectors

    return WordVectors(words, vectors).save(path, dtype=dtype)


def load_vectors(path, name: str | None = None):
    """Read a file written by :func:`save_vectors` as float32 ``WordVectors``."""
    from embedlab.vectors import WordVectors

    return WordVectors.load(path, name, rebuild=f"python -m embedlab.glove --corpus full --out {Path(path).parent}")


def load_result(folder=DEFAULT_OUT) -> dict:
    """The committed full-corpus result: ``{"glove", "ppmi_svd"}`` WordVectors, ``"run"`` (the
    sidecar: command, config, times, sha256) and ``"losses"``. Checks every sha256."""
    folder = Path(folder)
    sidecar = folder / "run.json"
    if not sidecar.exists():
        raise FileNotFoundError(f"{sidecar} not found; rebuild it with: python -m embedlab.glove --corpus full "
                                f"--out {folder}")
    run = json.loads(sidecar.read_text())
    for filename, digest in run["sha256"].items():
        if _data.sha256(folder / filename) != digest:
            raise ValueError(f"{folder / filename} does not match the sha256 in {sidecar}; rebuild it with: "
                             f"{run['command']}")
    return {
        "glove": load_vectors(folder / "glove_vectors.npz", name="GloVe (ours, full corpus)"),
        "ppmi_svd": load_vectors(folder / "ppmi_svd_vectors.npz", name="PPMI-SVD (ours, full corpus)"),
        "run": run,
        "losses": run["losses"],
    }


# --------------------------------------------------------------------------- command


def _evaluate(vectors) -> dict:
    from embedlab import evaluate

    return {k: (round(v, 4) if isinstance(v, float) else int(v)) for k, v in evaluate.evaluate_all(vectors).items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m embedlab.glove", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=("small", "full"), default="full")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--window", type=int, default=10)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--dim", type=int, default=GloVeConfig.dim)
    parser.add_argument("--epochs", type=int, default=GloVeConfig.epochs)
    parser.add_argument("--learning-rate", type=float, default=GloVeConfig.learning_rate)
    parser.add_argument("--x-max", type=float, default=GloVeConfig.x_max)
    parser.add_argument("--alpha", type=float, default=GloVeConfig.alpha)
    parser.add_argument("--batch-size", type=int, default=GloVeConfig.batch_size)
    parser.add_argument("--seed", type=int, default=GloVeConfig.seed)
    parser.add_argument("--save-top", type=int, default=20_000, help="keep the vectors of the most frequent words")
    args = parser.parse_args(argv)

    from embedlab import data

    config = GloVeConfig(args.dim, args.epochs, args.learning_rate, args.x_max, args.alpha, args.batch_size,
                         args.seed)
    corpus = data.load_corpus(args.corpus)
    start = time.perf_counter()
    cooc = cooccurrence(corpus, window=args.window, min_count=args.min_count)
    cooc_seconds = time.perf_counter() - start
    print(f"{cooc} built in {cooc_seconds:.1f} s", flush=True)
    model = train(cooc, config)
    start = time.perf_counter()
    svd = ppmi_svd(cooc, dim=args.dim, seed=args.seed)
    svd_seconds = time.perf_counter() - start

    top = min(args.save_top, len(cooc))
    args.out.mkdir(parents=True, exist_ok=True)
    digests = {
        "glove_vectors.npz": save_vectors(args.out / "glove_vectors.npz", cooc.words[:top], model.vectors[:top]),
        "ppmi_svd_vectors.npz": save_vectors(args.out / "ppmi_svd_vectors.npz", cooc.words[:top],
                                             svd.vectors[:top]),
    }
    saved = {name: load_vectors(args.out / name) for name in digests}  # evaluate what was committed
    metrics = {name.removesuffix("_vectors.npz"): _evaluate(wv) for name, wv in saved.items()}
    run = {
        "command": "python -m embedlab.glove " + " ".join(sys.argv[1:] if argv is None else argv),
        "corpus": args.corpus,
        "tokens": corpus.n_tokens,
        "window": args.window,
        "min_count": args.min_count,
        "vocab_size": len(cooc),
        "nonzero_cells": int(cooc.matrix.nnz),
        "saved_words": top,
        "saved_dtype": "float16",
        "config": asdict(config),
        "seconds": {"cooccurrence": round(cooc_seconds, 2), "train": round(sum(model.seconds_per_epoch), 1),
                    "per_epoch": round(float(np.median(model.seconds_per_epoch)), 2),
                    "ppmi_svd": round(svd_seconds, 1)},
        "losses": [round(v, 6) for v in model.losses],
        "metrics": metrics,
        "versions": {m: sys.modules[m].__version__ for m in ("numpy", "scipy")},
        "sha256": digests,
    }
    (args.out / "run.json").write_text(json.dumps(run, indent=2) + "\n")
    from embedlab.datasets import manifest

    manifest.record_trained([args.out / name for name in (*digests, "run.json")], step="models-glove",
                            command=run["command"], notes="GloVe and PPMI-SVD, lesson 04; see run.json")
    print(json.dumps({k: run[k] for k in ("seconds", "metrics")}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
