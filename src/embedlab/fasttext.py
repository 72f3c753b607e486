"""FastText: skip-gram over character n-grams (Bojanowski et al. 2017).

A word is represented by itself plus its character n-grams (``<where>`` -> ``<wh``,
``whe``, ..., ``where>`` for n = 3..6, ``<`` and ``>`` marking the word's boundaries).
Each n-gram is hashed (FNV-1a, as fastText and gensim do) into one of ``bucket`` shared
rows, so the table has a fixed size however many n-grams the corpus holds. The input
vector of a word is the **mean** of its own row and its n-gram rows (what fastText's
code and gensim compute; the paper writes a sum, which only rescales). A word never seen in training still has n-grams, so it
still gets a vector: the mean of its n-gram rows (gensim's out-of-vocabulary lookup).

Training is lesson 03's skip-gram with negative sampling (``embedlab.word2vec``): the
same vocabulary, subsampling, noise table, random numbers, learning-rate schedule and
per-pair update; only the input vector changes from one row to a mean of rows, and every
row receives the full gradient of that mean (as in fastText and gensim). One gensim
quirk we do not copy: while training, gensim divides the sum of the word row and its n
n-gram rows by n, not n + 1 (its look-ups divide by n + 1, as we do everywhere).

Train and evaluate on a corpus (prints the metrics of ours and gensim's)::

    python -m embedlab.fasttext --corpus small --epochs 1
"""

from __future__ import annotations

import argparse
import json
import time
import sys
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numba
import numpy as np

from embedlab import word2vec as w2v
# The compiled per-pair pieces of lesson 03 (random numbers, negatives, the SGNS step).
from embedlab.word2vec import draw_negatives, dynamic_window, learning_rate, pair_update, subsample_sentence

__all__ = [
    "BOW",
    "EOW",
    "char_ngrams",
    "fnv1a_hash",
    "ngram_buckets",
    "collision_stats",
    "subword_table",
    "subword_loss_and_grads",
    "FastTextConfig",
    "FastText",
    "train",
    "train_gensim",
    "save_model",
    "load_model",
]

BOW, EOW = "<", ">"  # begin- and end-of-word markers
FNV_OFFSET, FNV_PRIME = 2166136261, 16777619


# ---------------------------------------------------------------------- n-grams


def char_ngrams(word: str, min_n: int = 3, max_n: int = 6) -> list[str]:
    """Character n-grams of ``<word>``, n = min_n..max_n, by start position then length.

    The order is gensim's ``compute_ngrams_bytes`` (the one its hashing uses). The whole
    ``<word>`` is included when it is short enough, as in fastText.
    """
    if not isinstance(word, str):
        raise TypeError(f"word must be a str, got {type(word).__name__}")
    if min_n < 1 or max_n < min_n:
        raise ValueError(f"need 1 <= min_n <= max_n, got min_n={min_n}, max_n={max_n}")
    marked = BOW + word + EOW
    grams = [marked[i : i + n] for i in range(len(marked)) for n in range(min_n, max_n + 1) if i + n <= len(marked)]
    return [g for g in grams if g not in (BOW, EOW)]  # a lone marker is no n-gram (fastText)


def fnv1a_hash(text: str) -> int:
    """32-bit FNV-1a hash of the UTF-8 bytes of ``text``, exactly as fastText computes it.

    fastText reads each byte as a *signed* char, so bytes >= 128 (every non-ASCII
    character) are sign-extended before the XOR; gensim copies that quirk, and so do we,
    otherwise non-ASCII n-grams would land in different buckets than in fastText models.
    """
    h = FNV_OFFSET
    for byte in text.encode("utf-8"):
        h ^= byte if byte < 128 else byte | 0xFFFFFF00  # int8 -> uint32 sign extension
        h = (h * FNV_PRIME) & 0xFFFFFFFF
    return h


def ngram_buckets(word: str, min_n: int = 3, max_n: int = 6, bucket: int = 2_000_000) -> list[int]:
    """Bucket (row in the n-gram table) of each of ``word``'s n-grams: hash mod bucket."""
    if bucket < 1:
        raise ValueError(f"bucket must be positive, got {bucket}")
    return [fnv1a_hash(g) % bucket for g in char_ngrams(word, min_n, max_n)]


def collision_stats(words, bucket: int, min_n: int = 3, max_n: int = 6) -> dict:
    """How many distinct n-grams of ``words`` share a bucket with a different n-gram."""
    grams = sorted({g for w in words for g in char_ngrams(w, min_n, max_n)})
    rows = np.array([fnv1a_hash(g) % bucket for g in grams])
    _, which, per_row = np.unique(rows, return_inverse=True, return_counts=True)
    shared = per_row[which] > 1
    return {"bucket": bucket, "ngrams": len(grams), "rows_used": int(len(per_row)),
            "ngrams_sharing_a_row": int(shared.sum()), "share": float(shared.mean())}


# ----------------------------------------------------------------- loss and gradients


def subword_loss_and_grads(rows, u_pos, u_neg):
    """SGNS loss when the input vector is the mean of ``rows`` (n, d), and its gradients.

    ``h = mean(rows)``; the loss is lesson 03's :func:`embedlab.word2vec.sgns_loss_and_grads`
    of ``h``, so ``dL/drow_i = dL/dh / n`` for every row. Returns
    ``(L, dL/drows (n, d), dL/du_pos, dL/du_neg)``.

    Training follows fastText and gensim instead: every row receives the full ``dL/dh``
    (as word2vec's CBOW gives every context word the gradient of the mean), i.e. a step
    ``n`` times larger than plain gradient descent on the rows.
    """
    rows = np.asarray(rows, dtype=np.float64)
    loss, grad_h, grad_pos, grad_neg = w2v.sgns_loss_and_grads(rows.mean(0), u_pos, u_neg)
    return loss, np.repeat(grad_h[None, :] / len(rows), len(rows), axis=0), grad_pos, grad_neg


# ------------------------------------------------------------------------- model


@dataclass(frozen=True)
class FastTextConfig(w2v.Word2VecConfig):
    """word2vec's hyper-parameters plus the n-gram range and the number of hash buckets.

    gensim's default is 2,000,000 buckets (800 MB at 100 dimensions); the course uses
    fewer, and the lesson measures what that costs.
    """

    min_n: int = 3
    max_n: int = 6
    bucket: int = 200_000

    def __post_init__(self):
        super().__post_init__()
        if not self.sg:
            raise ValueError("embedlab.fasttext trains skip-gram only (sg=True)")
        if self.engine != "numba":
            raise ValueError("embedlab.fasttext has the compiled engine only (engine='numba')")
        if self.min_n < 1 or self.max_n < self.min_n:
            raise ValueError(f"need 1 <= min_n <= max_n, got min_n={self.min_n}, max_n={self.max_n}")
        if self.bucket < 1:
            raise ValueError(f"bucket must be positive, got {self.bucket}")


def subword_table(words, min_n: int, max_n: int, bucket: int) -> tuple[np.ndarray, np.ndarray]:
    """CSR table of input rows: word ``i`` uses ``rows[offsets[i]:offsets[i+1]]``.

    Row ``i`` is the word's own vector; n-gram rows follow the vocabulary rows
    (``len(words) + bucket_id``), so one matrix holds both, as in fastText.
    """
    lists = [[i] + [len(words) + b for b in ngram_buckets(w, min_n, max_n, bucket)] for i, w in enumerate(words)]
    offsets = np.zeros(len(lists) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(r) for r in lists])
    return offsets, np.fromiter((r for rows in lists for r in rows), dtype=np.int32, count=offsets[-1])


@dataclass
class FastText:
    """A trained model: ``input_vectors`` holds the word rows, then the ``bucket`` n-gram rows."""

    config: FastTextConfig
    vocab: w2v.Vocabulary
    input_vectors: np.ndarray
    output_vectors: np.ndarray
    subword_offsets: np.ndarray
    subword_rows: np.ndarray
    loss_curve: list[tuple[int, float]] = field(default_factory=list)
    effective_words: int = 0
    seconds: float = 0.0

    @property
    def words_per_second(self) -> float:
        return self.effective_words / self.seconds if self.seconds else float("nan")

    @property
    def ngram_vectors(self) -> np.ndarray:
        return self.input_vectors[len(self.vocab) :]

    def ngrams(self, word: str) -> list[str]:
        return char_ngrams(word, self.config.min_n, self.config.max_n)

    def vector(self, word: str) -> np.ndarray:
        """The vector of any non-empty string (gensim's ``wv[word]``).

        In the vocabulary: mean of its own row and its n-gram rows. Otherwise: mean of
        its n-gram rows (a zero vector if it has none, e.g. 'a' with min_n=4).
        """
        if not isinstance(word, str):
            raise TypeError(f"word must be a str, got {type(word).__name__}")
        if word == "":
            raise ValueError("the empty string has no characters, hence no n-grams and no vector")
        i = self.vocab.index.get(word)
        if i is not None:
            return self.input_vectors[self.subword_rows[self.subword_offsets[i] : self.subword_offsets[i + 1]]].mean(0)
        rows = len(self.vocab) + np.array(ngram_buckets(word, self.config.min_n, self.config.max_n, self.config.bucket))
        if len(rows) == 0:
            return np.zeros(self.config.dim, dtype=np.float32)
        return self.input_vectors[rows].mean(0)

    @cached_property
    def _word_vectors(self):
        from embedlab.vectors import WordVectors

        sums = np.add.reduceat(self.input_vectors[self.subword_rows], self.subword_offsets[:-1], axis=0)
        return WordVectors(self.vocab.words, sums / np.diff(self.subword_offsets)[:, None], name="fastText (ours)")

    def word_vectors(self, extra_words=()):
        """Vocabulary words with their composed vectors, as ``WordVectors`` (for ``evaluate``).

        ``extra_words`` not in the vocabulary are appended with their n-gram vectors, so
        an evaluation can score pairs a word-level model has to skip as OOV.
        """
        from embedlab.vectors import WordVectors

        extra = [w for w in dict.fromkeys(extra_words) if w and w not in self.vocab.index]
        if not extra:
            return self._word_vectors
        vectors = np.vstack([self._word_vectors.vectors, [self.vector(w) for w in extra]])
        return WordVectors(self.vocab.words + extra, vectors, name="fastText (ours, + OOV words)")

    def most_similar(self, word: str, k: int = 10) -> list[tuple[str, float]]:
        """Nearest vocabulary words to any string, known or not (the word itself excluded)."""
        exclude = (word,) if word in self.vocab.index else ()
        return self._word_vectors.most_similar(self.vector(word), k=k, exclude=exclude)

    def ngram_contributions(self, word: str, neighbour: str) -> list[tuple[str, float]]:
        """Each n-gram's share of ``cosine(word, neighbour)``, largest first.

        ``cos = (h . u) / |h|`` with ``h`` the mean of the rows and ``u`` the neighbour's
        unit vector, so row ``g`` contributes ``(v_g . u) / (n |h|)``; the shares add up
        to the cosine. An in-vocabulary word's own row appears as ``'<word>' (word row)``.

        Each share belongs to a *row*, labelled with the word's n-gram that uses it. With
        few buckets a row is shared by several n-grams (about ``N / bucket`` of them for
        ``N`` distinct n-grams; :func:`collision_stats`), so the label names one of them.
        """
        h, u = self.vector(word), self._word_vectors.unit_vectors[self._word_vectors.index[neighbour]]
        grams = self.ngrams(word)
        rows = [len(self.vocab) + b for b in ngram_buckets(word, self.config.min_n, self.config.max_n, self.config.bucket)]
        if word in self.vocab.index:
            grams, rows = [f"<{word}> (word row)"] + grams, [self.vocab.index[word]] + rows
        shares = self.input_vectors[rows] @ u / (len(rows) * np.linalg.norm(h))
        return sorted(zip(grams, shares.astype(float).tolist()), key=lambda pair: -pair[1])


# ----------------------------------------------------------------------- training


@numba.njit(cache=True, fastmath=True)
def _train_sentences(
    ids, offsets, first, last, keep, accept, alias, sub_offsets, sub_rows, W_in, W_out, window, negative,
    alpha, min_alpha, words_done, total_words, state, sentence_buf, targets, h, grad_h, compute_loss,
):
    """word2vec's compiled skip-gram loop with h = mean of the centre word's rows."""
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
            c = sentence_buf[i]
            a, b = sub_offsets[c], sub_offsets[c + 1]
            inv = np.float32(1.0 / (b - a))
            for j in range(lo, hi):
                if j == i:
                    continue
                targets[0] = sentence_buf[j]
                state = draw_negatives(targets, negative, accept, alias, state)
                for d in range(dim):
                    h[d] = 0.0
                    grad_h[d] = 0.0
                for r in range(a, b):
                    row = W_in[sub_rows[r]]
                    for d in range(dim):
                        h[d] += row[d]
                for d in range(dim):
                    h[d] *= inv
                loss += pair_update(W_out, h, targets, negative + 1, lr, grad_h, compute_loss)
                for r in range(a, b):  # fastText: every row gets the full gradient of the mean
                    row = W_in[sub_rows[r]]
                    for d in range(dim):
                        row[d] += grad_h[d]
                n_examples += 1
    return loss, n_examples, effective, state


def train(corpus, config: FastTextConfig | None = None, progress: bool = True, **overrides) -> FastText:
    """Train subword skip-gram on ``corpus`` (a ``data.Corpus``, token lists or ``EncodedCorpus``)::

        model = train(corpus, epochs=1, bucket=100_000)
        model.most_similar("embeddding")
    """
    config = replace(config or FastTextConfig(), **overrides)
    encoded = corpus if isinstance(corpus, w2v.EncodedCorpus) else w2v.build_vocab(corpus, config.min_count)
    vocab = encoded.vocab
    rng = np.random.default_rng(config.seed)
    n_rows = len(vocab) + config.bucket
    W_in = ((rng.random((n_rows, config.dim), dtype=np.float32) - 0.5) / config.dim).astype(np.float32)
    W_out = np.zeros((len(vocab), config.dim), dtype=np.float32)
    sub_offsets, sub_rows = subword_table(vocab.words, config.min_n, config.max_n, config.bucket)
    model = FastText(config, vocab, W_in, W_out, sub_offsets, sub_rows)
    keep = w2v.keep_probabilities(vocab.counts, config.sample)
    accept, alias = w2v.alias_table(w2v.noise_distribution(vocab.counts, config.ns_exponent))
    bar = w2v.progress_bar(config.epochs * encoded.n_tokens, progress, "fastText skip-gram")
    start = time.perf_counter()
    _run(model, encoded, keep, accept, alias, rng, bar)
    model.seconds = time.perf_counter() - start
    if bar is not None:
        bar.close()
    return model


def _run(model, encoded, keep, accept, alias, rng, bar):
    c = model.config
    total_words = c.epochs * encoded.n_tokens
    ids, offsets = encoded.ids, encoded.offsets
    state = np.uint64(rng.integers(1, 2**63))
    sentence_buf = np.empty(max(1, int(np.diff(offsets).max())), np.int32)
    targets = np.empty(c.negative + 1, np.int32)
    h, grad_h = np.empty(c.dim, np.float32), np.empty(c.dim, np.float32)
    words_done = 0
    for _ in range(c.epochs):
        first = 0
        while first < encoded.n_sentences:
            last = int(np.searchsorted(offsets, offsets[first] + w2v.REPORT_EVERY, side="right"))
            last = min(max(last - 1, first + 1), encoded.n_sentences)
            loss, n_examples, effective, state = _train_sentences(
                ids, offsets, first, last, keep, accept, alias, model.subword_offsets, model.subword_rows,
                model.input_vectors, model.output_vectors, c.window, c.negative, c.alpha, c.min_alpha,
                words_done, total_words, state, sentence_buf, targets, h, grad_h, c.compute_loss,
            )
            state = np.uint64(state)
            chunk = int(offsets[last] - offsets[first])
            words_done += chunk
            model.effective_words += effective
            if n_examples and c.compute_loss:
                model.loss_curve.append((words_done, loss / n_examples))
            if bar is not None:
                bar.update(chunk)
            first = last


def train_gensim(corpus, config: FastTextConfig | None = None, **overrides):
    """gensim's FastText, same hyper-parameters, 1 worker. Returns ``(keyed_vectors, seconds, effective_words)``.

    The ``FastTextKeyedVectors`` answer out-of-vocabulary look-ups; pass them to
    ``embedlab.evaluate`` functions directly (they convert them).
    """
    from gensim.models import FastText as GensimFastText

    config = replace(config or FastTextConfig(), **overrides)
    encoded = corpus if isinstance(corpus, w2v.EncodedCorpus) else w2v.build_vocab(corpus, config.min_count)
    sentences = w2v.as_token_lists(encoded)
    model = GensimFastText(
        vector_size=config.dim, window=config.window, min_count=config.min_count, sample=config.sample,
        sg=1, hs=0, negative=config.negative, alpha=config.alpha, min_alpha=config.min_alpha, seed=config.seed,
        workers=1, epochs=config.epochs, min_n=config.min_n, max_n=config.max_n, bucket=config.bucket,
    )
    model.build_vocab(sentences)
    start = time.perf_counter()
    effective, _ = model.train(sentences, total_examples=len(sentences), epochs=config.epochs)
    return model.wv, time.perf_counter() - start, effective


def save_model(model: FastText, path, top_words: int = 15_000, dtype=np.float16) -> str:
    """Save the ``top_words`` most frequent word rows and the whole n-gram table (``.npz``).

    Output vectors are dropped (look-ups do not need them). Returns the file's sha256.
    """
    import hashlib

    top = min(top_words, len(model.vocab))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        np.savez_compressed(
            f, words=np.asarray(model.vocab.words[:top]), counts=model.vocab.counts[:top],
            word_rows=model.input_vectors[:top].astype(dtype), ngram_rows=model.ngram_vectors.astype(dtype),
            config=np.asarray(json.dumps(asdict(model.config))),
        )
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_model(path) -> FastText:
    """Load a model written by :func:`save_model` (float32; vector look-ups and neighbours only)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} not found; rebuild it with the command in data/models/fasttext/README.md")
    with np.load(path) as f:
        config = FastTextConfig(**json.loads(str(f["config"])))
        vocab = w2v.Vocabulary(f["words"].tolist(), f["counts"].astype(np.int64))
        W_in = np.vstack([f["word_rows"], f["ngram_rows"]]).astype(np.float32)
    offsets, rows = subword_table(vocab.words, config.min_n, config.max_n, config.bucket)
    return FastText(config, vocab, W_in, np.zeros((0, config.dim), np.float32), offsets, rows)


def main(argv=None) -> None:
    from embedlab import data, evaluate

    parser = argparse.ArgumentParser(prog="python -m embedlab.fasttext", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="small", help="corpus size for embedlab.data.load_corpus")
    parser.add_argument("--out", default=None, help="write the metrics to this JSON file")
    for name in ("dim", "epochs", "bucket", "min_count", "seed"):
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=getattr(FastTextConfig, name))
    parser.add_argument("--no-gensim", action="store_true", help="skip the gensim comparison")
    parser.add_argument("--save", default=None, help="save the model (top words + n-gram table) to this .npz")
    parser.add_argument("--top-words", type=int, default=15_000, help="word rows to save")
    args = parser.parse_args(argv)
    config = FastTextConfig(dim=args.dim, epochs=args.epochs, bucket=args.bucket, min_count=args.min_count, seed=args.seed)
    encoded = w2v.build_vocab(data.load_corpus(args.corpus), config.min_count)
    model = train(encoded, config)
    results = {"ours": {"seconds": model.seconds, "words_per_second": model.words_per_second,
                        **evaluate.evaluate_all(model.word_vectors())}}
    if not args.no_gensim:
        gensim_kv, seconds, effective = train_gensim(encoded, config)
        results["gensim"] = {"seconds": seconds, "words_per_second": effective / seconds,
                             **evaluate.evaluate_all(gensim_kv)}
    if args.save:
        results["saved"] = {"file": Path(args.save).name, "sha256": save_model(model, args.save, args.top_words),
                            "top_words": min(args.top_words, len(model.vocab))}
    results["config"] = {"corpus": args.corpus, "tokens": encoded.n_tokens, "vocabulary": len(encoded.vocab),
                         **{k: getattr(config, k) for k in ("dim", "epochs", "bucket", "min_n", "max_n", "min_count")}}
    text = json.dumps(results, indent=1, default=float)
    print(text)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text + "\n")
    from embedlab.datasets import manifest

    command = "python -m embedlab.fasttext " + " ".join(sys.argv[1:] if argv is None else argv)
    manifest.record_trained([p for p in (args.save, args.out) if p], step="models-fasttext", command=command,
                            notes="lesson 05 subword skip-gram; see data/models/fasttext/README.md")


if __name__ == "__main__":
    main()
