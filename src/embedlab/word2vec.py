"""word2vec from scratch: skip-gram and CBOW with negative sampling (Mikolov et al. 2013).

Lesson 03 derives every piece of this module step by step. Two engines share all of it
except the innermost loop:

* ``engine="numpy"``: vectorised minibatch updates that a learner can read in a few
  lines (:func:`sgns_update`, :func:`cbow_update`);
* ``engine="numba"`` (default): the per-pair stochastic gradient descent of word2vec.c
  and gensim, compiled with numba, single-threaded and therefore deterministic.

Both follow word2vec.c: a vocabulary cut at ``min_count``, noise words drawn from
unigram counts raised to 0.75, frequent words subsampled with gensim's keep
probabilities, a dynamic window (uniform in 1..window) and a learning rate that decays
linearly to ``min_alpha``.

Train the full corpus (a few minutes on one core)::

    python -m embedlab.word2vec --corpus full --out data/models/word2vec
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numba
import numpy as np
from scipy import sparse

__all__ = [
    "Vocabulary",
    "EncodedCorpus",
    "Word2VecConfig",
    "Word2Vec",
    "build_vocab",
    "noise_distribution",
    "keep_probabilities",
    "subsample",
    "sample_negatives",
    "alias_table",
    "learning_rate",
    "skipgram_pairs",
    "cbow_contexts",
    "sgns_loss_and_grads",
    "scatter_add",
    "sgns_update",
    "sgns_update_compiled",
    "cbow_update",
    "train",
    "train_gensim",
    "save_vectors",
    "load_vectors",
    # compiled building blocks, shared with embedlab.fasttext
    "RNG_SHIFT",
    "next_random",
    "uniform01",
    "draw_negatives",
    "pair_update",
    "progress_bar",
    "as_token_lists",
    "subsample_sentence",
    "dynamic_window",
]

# Scores are clipped here before the sigmoid; sigma(20) = 1 - 2e-9, so nothing is lost.
MAX_SCORE = 20.0


# --------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True)
class Vocabulary:
    """Words kept for training, most frequent first, with their corpus counts."""

    words: list[str]
    counts: np.ndarray  # int64, same order as words

    def __len__(self) -> int:
        return len(self.words)

    @cached_property
    def index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}

    def id(self, word: str) -> int:
        try:
            return self.index[word]
        except KeyError:
            raise KeyError(
                f"{word!r} is not in the vocabulary ({len(self)} words; words seen fewer than "
                "min_count times are dropped)"
            ) from None


@dataclass(frozen=True)
class EncodedCorpus:
    """A corpus as integer arrays: sentence ``s`` is ``ids[offsets[s]:offsets[s + 1]]``.

    Integer arrays instead of lists of strings keep the 5.9M-token corpus at ~24 MB.
    """

    vocab: Vocabulary
    ids: np.ndarray  # int32 word ids into vocab, out-of-vocabulary tokens removed
    offsets: np.ndarray  # int64, len = n_sentences + 1

    @property
    def n_tokens(self) -> int:
        return len(self.ids)

    @property
    def n_sentences(self) -> int:
        return len(self.offsets) - 1

    def head(self, n_tokens: int) -> "EncodedCorpus":
        """The first whole sentences holding at most ``n_tokens`` tokens (same vocabulary)."""
        n_sentences = int(np.searchsorted(self.offsets, n_tokens, side="right")) - 1
        return EncodedCorpus(self.vocab, self.ids[: self.offsets[n_sentences]], self.offsets[: n_sentences + 1])

    def sentence_of_token(self) -> np.ndarray:
        """For every token, the number of the sentence it belongs to."""
        return np.repeat(np.arange(self.n_sentences, dtype=np.int32), np.diff(self.offsets))


def _from_token_lists(sentences: Iterable[Sequence[str]]):
    """Words, counts, ids and offsets of a corpus given as lists of tokens."""
    index: dict[str, int] = {}
    ids: list[int] = []
    offsets = [0]
    for sentence in sentences:
        if isinstance(sentence, str):
            raise TypeError("a corpus is a list of sentences, each a list of tokens; got a string")
        ids.extend(index.setdefault(token, len(index)) for token in sentence)
        offsets.append(len(ids))
    ids = np.asarray(ids, dtype=np.int64)
    counts = np.bincount(ids, minlength=len(index))
    return list(index), counts, ids, np.asarray(offsets, dtype=np.int64)


def build_vocab(corpus, min_count: int = 5) -> EncodedCorpus:
    """Keep words seen at least ``min_count`` times and re-encode the corpus with them.

    ``corpus`` is either an ``embedlab.data.Corpus`` (integer ``ids`` and ``offsets``
    over ``words`` with ``counts``) or any iterable of token lists. Words are sorted by
    decreasing count (ties keep their first-seen order), as gensim does. Tokens of dropped
    words are removed from their sentence, so windows reach over them (word2vec.c, gensim).
    """
    if min_count < 1:
        raise ValueError(f"min_count must be at least 1, got {min_count}")
    if hasattr(corpus, "ids") and hasattr(corpus, "offsets"):
        words, ids, offsets = list(corpus.words), np.asarray(corpus.ids), np.asarray(corpus.offsets, np.int64)
        counts = np.bincount(ids, minlength=len(words))  # count what is actually in the corpus
    else:
        words, counts, ids, offsets = _from_token_lists(corpus)
    if len(ids) == 0:
        raise ValueError("the corpus is empty: it has no tokens to learn from")
    order = np.argsort(-counts, kind="stable")
    order = order[counts[order] >= min_count]
    if len(order) == 0:
        raise ValueError(
            f"min_count={min_count} removes every word: the most frequent word occurs "
            f"{counts.max()} times; lower min_count or use a larger corpus"
        )
    new_id = np.full(len(words), -1, dtype=np.int64)
    new_id[order] = np.arange(len(order))
    mapped = new_id[ids]
    kept = mapped >= 0
    # A sentence's new end is the number of kept tokens before its old end.
    kept_before = np.concatenate([[0], np.cumsum(kept)])
    vocab = Vocabulary([words[i] for i in order], counts[order].astype(np.int64))
    return EncodedCorpus(vocab, mapped[kept].astype(np.int32), kept_before[offsets].astype(np.int64))


# ----------------------------------------------------------- noise and subsampling


def noise_distribution(counts, power: float = 0.75) -> np.ndarray:
    """P_n(w) proportional to count(w)**power: the distribution negatives are drawn from.

    The power 0.75 (Mikolov et al. 2013) flattens the unigram distribution, so rare words
    are drawn as negatives more often than their frequency alone would give.
    """
    weights = np.asarray(counts, dtype=np.float64) ** power
    return weights / weights.sum()


def keep_probabilities(counts, sample: float = 1e-3) -> np.ndarray:
    """Probability of keeping each occurrence of a word when subsampling frequent words.

    gensim's (and word2vec.c's) formula: with ``t = sample * total_count`` and count
    ``c``, keep with probability ``(sqrt(c / t) + 1) * t / c``, capped at 1. Words rarer
    than about ``2.6 t`` are always kept; ``sample=0`` keeps everything.
    """
    counts = np.asarray(counts, dtype=np.float64)
    if sample < 0:
        raise ValueError(f"sample must be >= 0, got {sample}")
    if sample == 0:
        return np.ones_like(counts)
    threshold = sample * counts.sum()
    return np.minimum(1.0, (np.sqrt(counts / threshold) + 1) * threshold / counts)


def subsample(ids: np.ndarray, keep: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Boolean mask of the tokens kept in this epoch (each token kept with ``keep[id]``)."""
    return rng.random(len(ids)) < keep[ids]


def sample_negatives(cumulative: np.ndarray, shape, rng: np.random.Generator) -> np.ndarray:
    """Draw word ids from the noise distribution given as its cumulative sum."""
    draws = np.searchsorted(cumulative, rng.random(shape), side="right")
    return np.minimum(draws, len(cumulative) - 1).astype(np.int32)



def alias_table(probabilities) -> tuple[np.ndarray, np.ndarray]:
    """Walker's alias table: draw from a discrete distribution in O(1) (Vose 1991).

    Slot ``i`` (chosen uniformly) returns ``i`` with probability ``accept[i]`` and
    ``alias[i]`` otherwise. word2vec.c uses a 10^8-entry unigram table for the same job;
    this is exact and small enough (8 bytes per word) to stay in the CPU cache.
    """
    scaled = np.asarray(probabilities, dtype=np.float64) * len(probabilities)
    accept = np.ones(len(scaled))
    alias = np.arange(len(scaled), dtype=np.int32)
    small = [i for i in range(len(scaled)) if scaled[i] < 1]
    large = [i for i in range(len(scaled)) if scaled[i] >= 1]
    while small and large:
        low, high = small.pop(), large.pop()
        accept[low], alias[low] = scaled[low], high
        scaled[high] -= 1 - scaled[low]  # high gives away the rest of low's slot
        (small if scaled[high] < 1 else large).append(high)
    return accept, alias

# ------------------------------------------------------------------- training pairs


def skipgram_pairs(stream, sentence, reduced_window, centres, window: int):
    """(centre, context) positions in ``stream`` for the given centre positions.

    ``reduced_window[i]`` (uniform in 1..window) is the dynamic window of position ``i``:
    a context word at distance ``d`` is used with probability ``(window - d + 1) / window``,
    so near words count more. Contexts never cross a sentence boundary.
    """
    centre_pos, context_pos = [], []
    for offset in [o for o in range(-window, window + 1) if o != 0]:
        context = centres + offset
        ok = (context >= 0) & (context < len(stream)) & (abs(offset) <= reduced_window[centres])
        ok[ok] = sentence[context[ok]] == sentence[centres[ok]]
        centre_pos.append(centres[ok])
        context_pos.append(context[ok])
    return np.concatenate(centre_pos), np.concatenate(context_pos)


def cbow_contexts(stream, sentence, reduced_window, centres, window: int):
    """For each centre position, its context positions as a (n, 2*window) matrix, -1 = none."""
    offsets = np.array([o for o in range(-window, window + 1) if o != 0])
    context = centres[:, None] + offsets[None, :]
    inside = (context >= 0) & (context < len(stream))
    context = np.where(inside, context, 0)
    ok = inside & (np.abs(offsets)[None, :] <= reduced_window[centres][:, None])
    ok &= sentence[context] == sentence[centres][:, None]
    return np.where(ok, context, -1)


# -------------------------------------------------------------- loss and gradients


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -MAX_SCORE, MAX_SCORE)))


def sgns_loss_and_grads(h, u_pos, u_neg):
    """Negative-sampling loss of one example and its gradients.

    ``L = -log sigma(h . u_pos) - sum_k log sigma(-h . u_neg[k])``, with ``h`` the input
    (centre, or mean-of-context for CBOW) vector, ``u_pos`` the output vector of the true
    word and ``u_neg`` (K, d) those of K noise words. Returns
    ``(L, dL/dh, dL/du_pos, dL/du_neg)``.
    """
    h, u_pos, u_neg = (np.asarray(a, dtype=np.float64) for a in (h, u_pos, u_neg))
    s_pos, s_neg = h @ u_pos, u_neg @ h
    loss = np.logaddexp(0, -s_pos) + np.logaddexp(0, s_neg).sum()  # -log sigma(x) = log(1 + e^-x)
    e_pos = _sigmoid(s_pos) - 1  # d(-log sigma(s)) / ds
    e_neg = _sigmoid(s_neg)  # d(-log sigma(-s)) / ds
    return loss, e_pos * u_pos + e_neg @ u_neg, e_pos * h, np.outer(e_neg, h)


def scatter_add(W, rows, updates) -> None:
    """``W[rows[i]] += updates[i]`` for every i, summing repeated rows.

    Does what ``np.add.at(W, rows, updates)`` does, about 10x faster: a sparse 0/1 matrix
    with one column per update sums the updates of each distinct row.
    """
    rows = np.asarray(rows).ravel()
    updates = updates.reshape(len(rows), -1)
    distinct, which = np.unique(rows, return_inverse=True)
    summing = sparse.csr_matrix(
        (np.ones(len(rows), updates.dtype), (which, np.arange(len(rows)))), shape=(len(distinct), len(rows))
    )
    W[distinct] += summing @ updates


def _scores_to_updates(h, targets, W_out, lr):
    """Shared part of the SG and CBOW minibatch updates (see sgns_update)."""
    U = W_out[targets]  # (B, 1+K, d) output vectors of true word and noise words
    scores = np.einsum("bd,bkd->bk", h, U)
    labels = np.zeros(scores.shape, dtype=np.float32)
    labels[:, 0] = 1
    # A noise word equal to the true word is skipped (word2vec.c does the same).
    active = np.ones(scores.shape, dtype=bool)
    active[:, 1:] = targets[:, 1:] != targets[:, :1]
    g = np.where(active, labels - _sigmoid(scores), 0).astype(np.float32) * lr
    losses = np.where(active, np.logaddexp(0, np.where(labels == 1, -scores, scores)), 0).sum(1)
    grad_h = np.einsum("bk,bkd->bd", g, U)  # minus the loss gradient, times lr
    scatter_add(W_out, targets, g[:, :, None] * h[:, None, :])
    return grad_h, float(losses.sum())


def sgns_update(W_in, W_out, centres, contexts, negatives, lr: float) -> float:
    """One minibatch SGD step of skip-gram with negative sampling; returns the summed loss.

    All B pairs are scored with the same (old) weights, and their updates are summed into
    the rows they touch (:func:`scatter_add`; plain fancy-index ``+=`` would keep only
    one update per repeated row). With one pair this is exactly word2vec.c's update.
    """
    targets = np.column_stack([contexts, negatives])  # (B, 1+K): column 0 is the true word
    grad_h, loss = _scores_to_updates(W_in[centres], targets, W_out, lr)
    scatter_add(W_in, centres, grad_h)
    return loss


def cbow_update(W_in, W_out, context_ids, centres, negatives, lr: float) -> float:
    """One minibatch SGD step of CBOW: predict the centre from the mean of its context.

    ``context_ids`` is (B, 2*window) with -1 for empty slots. As in word2vec.c and gensim
    (cbow_mean=1), every context word receives the full gradient of the mean vector.
    """
    mask = context_ids >= 0
    n_context = mask.sum(1, keepdims=True)
    h = (W_in[np.where(mask, context_ids, 0)] * mask[:, :, None]).sum(1) / n_context
    targets = np.column_stack([centres, negatives])
    grad_h, loss = _scores_to_updates(h.astype(np.float32), targets, W_out, lr)
    rows = np.broadcast_to(np.arange(len(centres))[:, None], mask.shape)[mask]
    scatter_add(W_in, context_ids[mask], grad_h[rows])
    return loss


# ---------------------------------------------------------------- numba fast path
# The same updates, one pair at a time, as word2vec.c does them. Random numbers come
# from word2vec.c's linear congruential generator, so a seed fixes every draw.

_LCG_A = np.uint64(25214903917)
_LCG_C = np.uint64(11)
RNG_SHIFT = np.uint64(16)
_MASK32 = np.uint64(0xFFFFFFFF)


@numba.njit(cache=True, inline="always")
def next_random(state):
    return state * _LCG_A + _LCG_C


@numba.njit(cache=True, inline="always")
def uniform01(state):
    return np.float64((state >> RNG_SHIFT) & _MASK32) / 4294967296.0


@numba.njit(cache=True)
def learning_rate(alpha, min_alpha, progress):
    """Linear decay from alpha (progress 0) to min_alpha (progress 1, the last word)."""
    return max(min_alpha, alpha - (alpha - min_alpha) * progress)


@numba.njit(cache=True, inline="always")
def draw_negatives(targets, negative, accept, alias, state):
    """Fill targets[1:negative+1] from the alias table; returns the new random state."""
    n_vocab = np.uint64(accept.shape[0])
    for k in range(1, negative + 1):
        state = next_random(state)
        slot = np.int64((state >> RNG_SHIFT) % n_vocab)
        state = next_random(state)
        targets[k] = slot if uniform01(state) < accept[slot] else alias[slot]
    return state


@numba.njit(cache=True, fastmath=True)
def pair_update(W_out, h, targets, n_targets, lr, grad_h, compute_loss):
    """Score h against targets[0] (true word) and targets[1:] (noise); update W_out rows.

    Accumulates lr * (minus the gradient w.r.t. h) into grad_h and returns the loss
    (0 unless compute_loss: the logarithms cost about 20% of the training time).
    """
    dim = h.shape[0]
    loss = 0.0
    for k in range(n_targets):
        t = targets[k]
        if k > 0 and t == targets[0]:
            continue
        score = np.float32(0.0)
        for d in range(dim):
            score += h[d] * W_out[t, d]
        s = min(max(score, np.float32(-MAX_SCORE)), np.float32(MAX_SCORE))
        e = math.exp(-s)  # float32 throughout: ~10% faster than float64 here
        if k == 0:
            g = np.float32(1.0) - np.float32(1.0) / (np.float32(1.0) + e)  # label 1 - sigma(s)
        else:
            g = -np.float32(1.0) / (np.float32(1.0) + e)  # label 0 - sigma(s)
        if compute_loss:
            loss += math.log1p(e) if k == 0 else math.log1p(e) + s  # -log sigma(+-s)
        g32 = g * np.float32(lr)
        for d in range(dim):
            grad_h[d] += g32 * W_out[t, d]
            W_out[t, d] += g32 * h[d]
    return loss


@numba.njit(cache=True)
def subsample_sentence(ids, start, end, keep, sentence_buf, state):
    """Subsample frequent words of ids[start:end] into sentence_buf: the survivors form the
    sentence the windows slide over. Returns (number kept, RNG state)."""
    n = 0
    for pos in range(start, end):
        w = ids[pos]
        state = next_random(state)
        if keep[w] < 1.0 and keep[w] < uniform01(state):
            continue
        sentence_buf[n] = w
        n += 1
    return n, state


@numba.njit(cache=True)
def dynamic_window(i, n, window, state):
    """Context positions [lo, hi) around position i of an n-word sentence, with the window
    shrunk by a random amount as word2vec.c does (near words are sampled more often)."""
    state = next_random(state)
    reduced = window - np.int64((state >> RNG_SHIFT) % np.uint64(window))
    return max(0, i - reduced), min(n, i + reduced + 1), state


@numba.njit(cache=True, fastmath=True)
def _train_sentences(
    ids, offsets, first, last, keep, accept, alias, W_in, W_out, sg, window, negative,
    alpha, min_alpha, words_done, total_words, state, sentence_buf, targets, h, grad_h, compute_loss,
):
    """Train on sentences first..last-1; returns (loss, n_examples, effective_words, state)."""
    dim = W_in.shape[1]
    loss = 0.0
    n_examples = 0
    effective = 0
    for s in range(first, last):
        n, state = subsample_sentence(ids, offsets[s], offsets[s + 1], keep, sentence_buf, state)
        effective += n
        lr = learning_rate(alpha, min_alpha, words_done / total_words)
        words_done += offsets[s + 1] - offsets[s]
        for i in range(n):
            lo, hi, state = dynamic_window(i, n, window, state)
            if hi - lo < 2:
                continue
            if sg:
                for j in range(lo, hi):
                    if j == i:
                        continue
                    targets[0] = sentence_buf[j]
                    state = draw_negatives(targets, negative, accept, alias, state)
                    c = sentence_buf[i]
                    for d in range(dim):
                        grad_h[d] = 0.0
                        h[d] = W_in[c, d]
                    loss += pair_update(W_out, h, targets, negative + 1, lr, grad_h, compute_loss)
                    for d in range(dim):
                        W_in[c, d] += grad_h[d]
                    n_examples += 1
            else:
                targets[0] = sentence_buf[i]
                state = draw_negatives(targets, negative, accept, alias, state)
                for d in range(dim):
                    h[d] = 0.0
                    grad_h[d] = 0.0
                for j in range(lo, hi):
                    if j != i:
                        for d in range(dim):
                            h[d] += W_in[sentence_buf[j], d]
                inv = np.float32(1.0 / (hi - lo - 1))
                for d in range(dim):
                    h[d] *= inv
                loss += pair_update(W_out, h, targets, negative + 1, lr, grad_h, compute_loss)
                for j in range(lo, hi):
                    if j != i:
                        for d in range(dim):
                            W_in[sentence_buf[j], d] += grad_h[d]
                n_examples += 1
    return loss, n_examples, effective, state


@numba.njit(cache=True, fastmath=True)
def sgns_update_compiled(W_in, W_out, centres, targets, lr):
    """Per-pair SGD over given pairs and noise words (tests compare it with sgns_update)."""
    dim = W_in.shape[1]
    h = np.empty(dim, np.float32)
    grad_h = np.empty(dim, np.float32)
    loss = 0.0
    for p in range(centres.shape[0]):
        c = centres[p]
        for d in range(dim):
            h[d] = W_in[c, d]
            grad_h[d] = 0.0
        loss += pair_update(W_out, h, targets[p], targets.shape[1], lr, grad_h, True)
        for d in range(dim):
            W_in[c, d] += grad_h[d]
    return loss


# ------------------------------------------------------------------------- training


@dataclass(frozen=True)
class Word2VecConfig:
    """Hyper-parameters; the defaults are gensim's (and the benchmark's)."""

    sg: bool = True  # skip-gram (True) or CBOW (False)
    dim: int = 100
    window: int = 5
    negative: int = 5
    min_count: int = 5
    sample: float = 1e-3
    epochs: int = 3
    alpha: float = 0.025
    min_alpha: float = 1e-4
    ns_exponent: float = 0.75
    seed: int = 0
    engine: str = "numba"  # "numba" (per-pair, fast) or "numpy" (minibatch, readable)
    batch_size: int = 256  # centre words per minibatch, numpy engine only
    compute_loss: bool = True  # record the loss curve (costs ~20% of numba's speed)

    def __post_init__(self):
        checks = {
            "dim": self.dim >= 1, "window": self.window >= 1, "negative": self.negative >= 1,
            "epochs": self.epochs >= 1, "alpha": self.alpha > 0, "batch_size": self.batch_size >= 1,
        }
        for name, ok in checks.items():
            if not ok:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)!r}")
        if self.engine not in ("numba", "numpy"):
            raise ValueError(f"engine must be 'numba' or 'numpy', got {self.engine!r}")


@dataclass
class Word2Vec:
    """A trained model: input vectors (the embeddings) and output (context) vectors."""

    config: Word2VecConfig
    vocab: Vocabulary
    input_vectors: np.ndarray
    output_vectors: np.ndarray
    loss_curve: list[tuple[int, float]] = field(default_factory=list)  # (words seen, mean loss)
    effective_words: int = 0  # tokens trained on after subsampling, all epochs
    seconds: float = 0.0

    @property
    def words_per_second(self) -> float:
        return self.effective_words / self.seconds if self.seconds else float("nan")

    def word_vectors(self, name: str | None = None):
        """The input vectors as ``embedlab.vectors.WordVectors`` (what gensim calls ``wv``)."""
        from embedlab.vectors import WordVectors

        kind = "skip-gram" if self.config.sg else "CBOW"
        return WordVectors(self.vocab.words, self.input_vectors, name=name or f"word2vec {kind}")


def progress_bar(total, enabled, desc):
    if not enabled:
        return None
    from tqdm import tqdm  # text bar: readable in executed notebooks and the book

    return tqdm(total=total, desc=desc, unit="word", unit_scale=True, mininterval=0.5)


def train(corpus, config: Word2VecConfig | None = None, progress: bool = True, **overrides) -> Word2Vec:
    """Train word2vec on ``corpus`` (an ``embedlab.data.Corpus``, lists of tokens or an
    :class:`EncodedCorpus`). Keyword overrides change single hyper-parameters::

        model = train(corpus, sg=False, epochs=5)
        model.word_vectors().most_similar("king")
    """
    config = replace(config or Word2VecConfig(), **overrides)
    encoded = corpus if isinstance(corpus, EncodedCorpus) else build_vocab(corpus, config.min_count)
    vocab = encoded.vocab
    rng = np.random.default_rng(config.seed)
    # gensim's initialisation: small random input vectors, zero output vectors.
    W_in = ((rng.random((len(vocab), config.dim), dtype=np.float32) - 0.5) / config.dim).astype(np.float32)
    W_out = np.zeros_like(W_in)
    keep = keep_probabilities(vocab.counts, config.sample)
    noise = noise_distribution(vocab.counts, config.ns_exponent)
    model = Word2Vec(config, vocab, W_in, W_out)
    run = _train_numba if config.engine == "numba" else _train_numpy
    bar = progress_bar(config.epochs * encoded.n_tokens, progress, "skip-gram" if config.sg else "CBOW")
    start = time.perf_counter()
    run(model, encoded, keep, noise, rng, bar)
    model.seconds = time.perf_counter() - start
    if bar is not None:
        bar.close()
    return model


# The loss curve gets a point (and the progress bar an update) every this many words.
REPORT_EVERY = 100_000


def _train_numba(model, encoded, keep, noise, rng, bar):
    c = model.config
    total_words = c.epochs * encoded.n_tokens
    ids, offsets = encoded.ids, encoded.offsets
    state = np.uint64(rng.integers(1, 2**63))
    accept, alias = alias_table(noise)
    sentence_buf = np.empty(max(1, int(np.diff(offsets).max())), np.int32)
    targets = np.empty(c.negative + 1, np.int32)
    h, grad_h = np.empty(c.dim, np.float32), np.empty(c.dim, np.float32)
    words_done = 0
    for _ in range(c.epochs):
        first = 0
        while first < encoded.n_sentences:
            # Sentences up to ~REPORT_EVERY words per compiled call.
            last = int(np.searchsorted(offsets, offsets[first] + REPORT_EVERY, side="right"))
            last = min(max(last - 1, first + 1), encoded.n_sentences)
            loss, n_examples, effective, state = _train_sentences(
                ids, offsets, first, last, keep, accept, alias, model.input_vectors, model.output_vectors,
                c.sg, c.window, c.negative, c.alpha, c.min_alpha, words_done, total_words, state,
                sentence_buf, targets, h, grad_h, c.compute_loss,
            )
            state = np.uint64(state)  # numba hands it back as a Python int
            chunk_words = int(offsets[last] - offsets[first])
            words_done += chunk_words
            model.effective_words += effective
            if n_examples and c.compute_loss:
                model.loss_curve.append((words_done, loss / n_examples))
            if bar is not None:
                bar.update(chunk_words)
            first = last


def _train_numpy(model, encoded, keep, noise, rng, bar):
    c = model.config
    cumulative = np.cumsum(noise)
    total_words = c.epochs * encoded.n_tokens
    sentence_all = encoded.sentence_of_token()
    words_done = 0
    for _ in range(c.epochs):
        kept = subsample(encoded.ids, keep, rng)
        stream, sentence = encoded.ids[kept], sentence_all[kept]
        raw_position = np.flatnonzero(kept)  # for the learning-rate schedule
        reduced_window = rng.integers(1, c.window + 1, len(stream))
        model.effective_words += len(stream)
        loss_sum, n_examples, last_report = 0.0, 0, 0
        for start in range(0, len(stream), c.batch_size):
            centres = np.arange(start, min(start + c.batch_size, len(stream)))
            progress = words_done + raw_position[centres[0]]
            lr = learning_rate(c.alpha, c.min_alpha, progress / total_words)
            if c.sg:
                centre_pos, context_pos = skipgram_pairs(stream, sentence, reduced_window, centres, c.window)
                negatives = sample_negatives(cumulative, (len(centre_pos), c.negative), rng)
                loss_sum += sgns_update(model.input_vectors, model.output_vectors,
                                        stream[centre_pos], stream[context_pos], negatives, lr)
                n_examples += len(centre_pos)
            else:
                context_pos = cbow_contexts(stream, sentence, reduced_window, centres, c.window)
                has_context = (context_pos >= 0).any(1)
                context_ids = np.where(context_pos >= 0, stream[context_pos], -1)[has_context]
                negatives = sample_negatives(cumulative, (len(context_ids), c.negative), rng)
                loss_sum += cbow_update(model.input_vectors, model.output_vectors, context_ids,
                                        stream[centres[has_context]], negatives, lr)
                n_examples += len(context_ids)
            seen = raw_position[centres[-1]] + 1
            if seen - last_report >= REPORT_EVERY or centres[-1] == len(stream) - 1:
                if n_examples:
                    model.loss_curve.append((int(words_done + seen), loss_sum / n_examples))
                if bar is not None:
                    bar.update(int(seen - last_report))
                loss_sum, n_examples, last_report = 0.0, 0, seen
        if bar is not None:
            bar.update(int(encoded.n_tokens - last_report))
        words_done += encoded.n_tokens


# ----------------------------------------------------------------------- saving


def save_vectors(path, words: Sequence[str], vectors, dtype=np.float16) -> str:
    """Save words and vectors to a compressed ``.npz``; returns the file's sha256."""
    from embedlab.vectors import WordVectors

    return WordVectors(words, vectors).save(path, dtype=dtype)


def load_vectors(path, name: str | None = None):
    """Load a file written by :func:`save_vectors` as ``WordVectors`` (float32)."""
    from embedlab.vectors import WordVectors

    return WordVectors.load(path, name, rebuild=f"python -m embedlab.word2vec --corpus full --out {Path(path).parent}")


# -------------------------------------------------------------------------- command


def train_gensim(corpus, config: Word2VecConfig | None = None, **overrides):
    """gensim's Word2Vec with the same hyper-parameters and 1 worker, for comparisons.

    Returns ``(WordVectors, seconds, effective_words)``; like :func:`train`, the seconds
    cover training only (not building the vocabulary).
    """
    from gensim.models import Word2Vec as GensimWord2Vec

    from embedlab.vectors import WordVectors

    config = replace(config or Word2VecConfig(), **overrides)
    encoded = corpus if isinstance(corpus, EncodedCorpus) else build_vocab(corpus, config.min_count)
    sentences = as_token_lists(encoded)
    model = GensimWord2Vec(
        vector_size=config.dim, window=config.window, min_count=config.min_count, sample=config.sample,
        sg=int(config.sg), hs=0, negative=config.negative, alpha=config.alpha, min_alpha=config.min_alpha,
        seed=config.seed, workers=1, epochs=config.epochs,
    )
    model.build_vocab(sentences)
    start = time.perf_counter()
    effective, _ = model.train(sentences, total_examples=len(sentences), epochs=config.epochs)
    seconds = time.perf_counter() - start
    kind = "skip-gram" if config.sg else "CBOW"
    return WordVectors(list(model.wv.index_to_key), model.wv.vectors, name=f"gensim {kind}"), seconds, effective


def as_token_lists(encoded: EncodedCorpus) -> list[list[str]]:
    words = np.asarray(encoded.vocab.words, dtype=object)
    return [words[encoded.ids[a:b]].tolist() for a, b in zip(encoded.offsets[:-1], encoded.offsets[1:])]


def main(argv: Sequence[str] | None = None) -> None:
    from embedlab import data, evaluate

    parser = argparse.ArgumentParser(prog="python -m embedlab.word2vec", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="full", help="corpus size for embedlab.data.load_corpus")
    parser.add_argument("--out", type=Path, default=Path("data/models/word2vec"))
    parser.add_argument("--cbow", action="store_true", help="train CBOW instead of skip-gram")
    parser.add_argument("--engine", default="numba", choices=("numba", "numpy"))
    for name in ("dim", "window", "negative", "min_count", "epochs", "seed"):
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=getattr(Word2VecConfig, name))
    for name in ("sample", "alpha"):
        parser.add_argument(f"--{name}", type=float, default=getattr(Word2VecConfig, name))
    parser.add_argument("--top-words", type=int, default=20_000, help="how many words to save (float16)")
    parser.add_argument("--compare-gensim", action="store_true", help="also train gensim and record its metrics")
    args = parser.parse_args(argv)

    config = Word2VecConfig(
        sg=not args.cbow, dim=args.dim, window=args.window, negative=args.negative, min_count=args.min_count,
        epochs=args.epochs, seed=args.seed, sample=args.sample, alpha=args.alpha, engine=args.engine,
    )
    corpus = build_vocab(data.load_corpus(args.corpus), config.min_count)
    print(f"corpus {args.corpus!r}: {corpus.n_tokens:,} tokens, {len(corpus.vocab):,} words")
    model = train(corpus, config)
    wv = model.word_vectors()
    results = {"ours": {"words_per_second": model.words_per_second, "seconds": model.seconds,
                        **evaluate.evaluate_all(wv)}}
    if args.compare_gensim:
        gensim_wv, seconds, effective = train_gensim(corpus, config)
        results["gensim"] = {"words_per_second": effective / seconds, "seconds": seconds,
                             **evaluate.evaluate_all(gensim_wv)}
        results["neighbour_overlap_at_10"] = evaluate.neighbour_overlap(wv, gensim_wv, k=10)
    for who, metrics in results.items():
        print(who, json.dumps(metrics, indent=1, default=float))

    top = min(args.top_words, len(wv))
    name = "skipgram" if config.sg else "cbow"
    sha256 = save_vectors(args.out / f"{name}_top{top}.npz", wv.words[:top], wv.vectors[:top])
    np.savetxt(args.out / f"{name}_loss_curve.csv", np.array(model.loss_curve), delimiter=",",
               header="words_seen,mean_loss", comments="", fmt=["%d", "%.5f"])
    card = {
        "file": f"{name}_top{top}.npz", "sha256": sha256,
        "built_by": "python -m embedlab.word2vec " + " ".join(argv if argv is not None else __import__("sys").argv[1:]),
        "corpus": args.corpus, "corpus_tokens": corpus.n_tokens, "vocabulary": len(corpus.vocab),
        "saved_words": top, "dtype": "float16", "config": asdict(config),
        "seconds": round(model.seconds, 1), "metrics": results,
        "library_versions": {"numpy": np.__version__, "numba": numba.__version__},
    }
    (args.out / f"{name}.json").write_text(json.dumps(card, indent=2, default=float) + "\n")
    from embedlab.datasets import manifest

    written = [args.out / card["file"], args.out / f"{name}_loss_curve.csv", args.out / f"{name}.json"]
    manifest.record_trained(written, step="models-word2vec", command=card["built_by"],
                            notes=f"lesson 03 {name}; see {name}.json")
    print(f"wrote {args.out}/{name}_top{top}.npz, {name}_loss_curve.csv and {name}.json")


if __name__ == "__main__":
    main()
