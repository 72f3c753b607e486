"""word2vec from scratch vs gensim 4.4 (1 worker), same corpus and hyper-parameters (issue 5).

skip-gram, negative 5, 100-d, window 5, min_count 5, sample 1e-3, 3 epochs. Ours and
gensim run interleaved (ours, gensim, ours, gensim, ...) so background load hits both
alike; times are medians. Quality (analogies, WordSim-353, SimLex-999) is measured on
the last model of each. Words/s counts the words trained on after subsampling.

Environment knobs (the defaults are the issue's setting; the full run takes ~10 min):

    BENCH_W2V_TOKENS=1000000   train on the first N tokens only (default: full corpus)
    BENCH_W2V_REPEATS=3        timed repetitions of each side
    BENCH_W2V_EPOCHS=3
    BENCH_W2V_EXTRA=0          skip the CBOW row and the numpy-engine batch-size curve
"""

from __future__ import annotations

import os
import resource
from dataclasses import replace

import numpy as np

from embedlab import data, evaluate
from embedlab import word2vec as w2v

GOAL = ">1.25x gensim words/s; >=0.95x its analogy, WS353, SimLex"


def _corpus(n_tokens: int | None) -> w2v.EncodedCorpus:
    corpus = w2v.build_vocab(data.load_corpus("full"), min_count=5)
    if not n_tokens or n_tokens >= corpus.n_tokens:
        return corpus
    return w2v.build_vocab(_Tokens(corpus.head(n_tokens)), min_count=5)  # min_count applies to the slice


class _Tokens:
    """An EncodedCorpus seen as a data.Corpus (words, ids, offsets) for build_vocab."""

    def __init__(self, encoded):
        self.words, self.ids, self.offsets = encoded.vocab.words, encoded.ids, encoded.offsets


def _ours(corpus, config):
    model = w2v.train(corpus, config, progress=False)
    return model.word_vectors(), model.seconds, model.effective_words


def _quality(wv) -> dict:
    metrics = evaluate.evaluate_all(wv)
    king = wv.analogy("man", "king", "woman", k=1)[0][0] if all(w in wv for w in ("man", "king", "woman")) else None
    return {**metrics, "king-man+woman": king}


def _head_to_head(label, corpus, config, repeats):
    ours_s, gensim_s = [], []
    for _ in range(repeats):
        ours_wv, seconds, ours_words = _ours(corpus, config)
        ours_s.append(seconds)
        gensim_wv, seconds, gensim_words = w2v.train_gensim(corpus, config)
        gensim_s.append(seconds)
    ours_q, gensim_q = _quality(ours_wv), _quality(gensim_wv)
    row = {
        "benchmark": label,
        "ours_s": float(np.median(ours_s)),
        "reference_s": float(np.median(gensim_s)),
        "goal": GOAL,
        "ours_words_s": ours_words / np.median(ours_s),
        "gensim_words_s": gensim_words / np.median(gensim_s),
        "speed_ratio": (ours_words / np.median(ours_s)) / (gensim_words / np.median(gensim_s)),
        "times_ours": [round(s, 1) for s in ours_s],
        "times_gensim": [round(s, 1) for s in gensim_s],
    }
    for key in ("analogy", "analogy_semantic", "analogy_syntactic", "wordsim353", "simlex999"):
        row[f"{key}_ours"] = round(ours_q[key], 4)
        row[f"{key}_gensim"] = round(gensim_q[key], 4)
        row[f"{key}_ratio"] = round(ours_q[key] / gensim_q[key], 3)
    row["king_ours"], row["king_gensim"] = ours_q["king-man+woman"], gensim_q["king-man+woman"]
    row["neighbour_overlap@10"] = round(evaluate.neighbour_overlap(ours_wv, gensim_wv, k=10), 3)
    return row


def _batch_curve(corpus, config):
    """The readable numpy engine: batch size vs time vs quality (one run each)."""
    rows = []
    _, gensim_s, _ = w2v.train_gensim(corpus, config)
    for batch_size in (64, 256, 1024):
        wv, seconds, words = _ours(corpus, replace(config, engine="numpy", batch_size=batch_size))
        q = _quality(wv)
        rows.append({
            "benchmark": f"numpy engine, batch {batch_size} centres, {corpus.n_tokens:,} tokens",
            "ours_s": seconds, "reference_s": gensim_s, "goal": "readable; quality vs batch size",
            "ours_words_s": words / seconds, "analogy_ours": round(q["analogy"], 4),
            "wordsim353_ours": round(q["wordsim353"], 4), "simlex999_ours": round(q["simlex999"], 4),
            "max_abs_vector": float(np.abs(wv.vectors).max()),
        })
    return rows


def bench() -> list[dict]:
    n_tokens = int(os.environ.get("BENCH_W2V_TOKENS", 0)) or None
    repeats = int(os.environ.get("BENCH_W2V_REPEATS", 3))
    epochs = int(os.environ.get("BENCH_W2V_EPOCHS", 3))
    extra = os.environ.get("BENCH_W2V_EXTRA", "1") != "0"
    corpus = _corpus(n_tokens)
    config = w2v.Word2VecConfig(epochs=epochs, compute_loss=False)  # gensim's default: no loss either
    w2v.train(corpus, config, epochs=1, progress=False)  # compile outside the timings
    size = f"{corpus.n_tokens / 1e6:.2f}M tokens x {epochs} epochs"
    rows = [_head_to_head(f"skip-gram, numba vs gensim 1 worker, {size}", corpus, config, repeats)]
    if extra:
        with_loss = w2v.train(corpus, config, compute_loss=True, progress=False)
        rows.append({"benchmark": f"skip-gram with loss curve, {size}", "ours_s": with_loss.seconds,
                     "reference_s": rows[0]["reference_s"], "goal": "loss costs little",
                     "ours_words_s": with_loss.words_per_second})
        cbow = replace(config, sg=False)
        rows.append(_head_to_head(f"CBOW, numba vs gensim 1 worker, {size}", corpus, cbow, 1))
        slice_ = _corpus(min(corpus.n_tokens, 1_000_000))
        rows.extend(_batch_curve(slice_, w2v.Word2VecConfig(epochs=1, compute_loss=False)))
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    for row in rows:
        row["peak_rss_gb_process"] = round(peak_gb, 2)
    return rows


if __name__ == "__main__":
    import json

    for row in bench():
        print(json.dumps(row, default=str))
