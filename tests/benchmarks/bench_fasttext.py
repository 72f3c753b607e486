"""fastText from scratch vs gensim 4.4 FastText (1 worker), same corpus and hyper-parameters (issue 7).

Subword skip-gram, n = 3..6, negative 5, 100-d, window 5, min_count 5, sample 1e-3.
Word2vec skip-gram (lesson 03, ours) on the same data is the baseline for quality.
Quality: analogies (semantic / syntactic), WordSim-353, SimLex-999, with OOV counts
(fastText models are scored on vocabulary words only, like word2vec, so the rows are
comparable; the lesson also scores OOV pairs). Then a bucket sweep: fewer buckets, more
n-grams sharing a row, how much quality is lost.

The bucket sweep uses 50-d vectors and 2 epochs to stay short.

Environment knobs (defaults: the small corpus, 3 epochs, about 6 minutes on a quiet core):

    BENCH_FT_CORPUS=small      corpus for embedlab.data.load_corpus ("small" or "full")
    BENCH_FT_EPOCHS=3
    BENCH_FT_BUCKET=200000
    BENCH_FT_SWEEP=1           0 skips the bucket sweep
    BENCH_FT_HEAD=1            0 skips the head-to-head
    BENCH_FT_WORD2VEC=1        0 skips the word2vec baseline (the full-corpus one is in
                               data/models/word2vec/skipgram.json)
    BENCH_FT_OUT=path.json     also write the rows as JSON (the lesson reads
                               data/models/fasttext/bench_small.json)
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

from embedlab import data, evaluate
from embedlab import fasttext as ft
from embedlab import word2vec as w2v

GOAL = "quality >= 0.95x gensim; fastText > word2vec on syntactic analogies"
METRICS = ("analogy", "analogy_semantic", "analogy_syntactic", "wordsim353", "simlex999")


def _quality(wv) -> dict:
    q = evaluate.evaluate_all(wv)
    return {k: round(float(q[k]), 4) for k in METRICS} | {
        k: int(q[k]) for k in ("analogy_answered", "wordsim353_oov", "simlex999_oov")}


def bench() -> list[dict]:
    corpus_name = os.environ.get("BENCH_FT_CORPUS", "small")
    epochs = int(os.environ.get("BENCH_FT_EPOCHS", 3))
    bucket = int(os.environ.get("BENCH_FT_BUCKET", 200_000))
    encoded = w2v.build_vocab(data.load_corpus(corpus_name), min_count=5)
    config = ft.FastTextConfig(epochs=epochs, bucket=bucket, compute_loss=False)
    ft.train(encoded.head(20_000), config, epochs=1, progress=False)  # compile outside the timings
    size = f"{corpus_name} corpus, {encoded.n_tokens / 1e6:.2f}M tokens x {epochs} epochs, {bucket:,} buckets"

    rows = []
    if os.environ.get("BENCH_FT_HEAD", "1") != "0":
        rows.append(_head_to_head(encoded, config, size))
    if os.environ.get("BENCH_FT_SWEEP", "1") != "0":
        rows.extend(_bucket_sweep(encoded, replace(config, epochs=int(os.environ.get("BENCH_FT_SWEEP_EPOCHS", 2)), dim=50), corpus_name))
    if os.environ.get("BENCH_FT_OUT"):
        Path(os.environ["BENCH_FT_OUT"]).write_text(json.dumps(rows, indent=1) + "\n")
    return rows


def _head_to_head(encoded, config, size):
    epochs = config.epochs
    ours = ft.train(encoded, config, progress=False)
    gensim_kv, gensim_s, gensim_words = ft.train_gensim(encoded, config)
    quality = {"fastText (ours)": _quality(ours.word_vectors()), "fastText (gensim)": _quality(gensim_kv)}
    word2vec_s = None
    if os.environ.get("BENCH_FT_WORD2VEC", "1") != "0":
        word2vec = w2v.train(encoded, w2v.Word2VecConfig(epochs=epochs, compute_loss=False), progress=False)
        quality["word2vec (ours)"], word2vec_s = _quality(word2vec.word_vectors()), word2vec.seconds
    return {
        "benchmark": f"fastText skip-gram, ours vs gensim 1 worker, {size}",
        "ours_s": ours.seconds, "reference_s": gensim_s, "goal": GOAL,
        "ours_words_s": round(ours.words_per_second), "gensim_words_s": round(gensim_words / gensim_s),
        "word2vec_s": word2vec_s, "quality": quality,
        "neighbour_overlap@10": round(evaluate.neighbour_overlap(ours.word_vectors(), evaluate.as_word_vectors(gensim_kv)), 3),
    }


def _bucket_sweep(encoded, config, corpus_name):
    """Fewer buckets: more n-grams share a row (measured), and what quality that costs."""
    rows = []
    for bucket in (2_000, 20_000, 200_000):
        model = ft.train(encoded, replace(config, bucket=bucket), progress=False)
        rows.append({
            "benchmark": f"bucket sweep: {bucket:,} buckets, {corpus_name} corpus x {config.epochs} epochs, {config.dim}-d",
            "ours_s": model.seconds, "reference_s": float("nan"), "goal": "collisions vs quality",
            **ft.collision_stats(encoded.vocab.words, bucket), "quality": _quality(model.word_vectors()),
            "ngram_table_mb": round(bucket * config.dim * 4 / 1e6, 1),
        })
    return rows


if __name__ == "__main__":
    for row in bench():
        print(json.dumps(row, default=str))
