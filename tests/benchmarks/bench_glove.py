"""GloVe (lesson 04): co-occurrence build time and seconds per epoch on the full corpus,
and the quality table of the committed vectors (GloVe vs PPMI-SVD vs word2vec vs pretrained)."""

import time
from collections import defaultdict
from pathlib import Path

import numba
import numpy as np

from embedlab import data, evaluate, glove
from embedlab.pretrained import load_glove
from embedlab.vectors import WordVectors

ROOT = Path(__file__).resolve().parents[2]
LOOP_TOKENS = 200_000  # the Python loop reference runs on this prefix, then is scaled up


def _python_loop_seconds(corpus, vocab_size, window) -> float:
    """The textbook dict-of-pairs loop on a prefix of the corpus, extrapolated linearly."""
    start = time.perf_counter()
    counts = defaultdict(float)
    done = 0
    for s in range(len(corpus)):
        kept = [t for t in corpus.ids[corpus.offsets[s]:corpus.offsets[s + 1]].tolist() if t < vocab_size]
        for i, a in enumerate(kept):
            for k in range(1, window + 1):
                if i + k < len(kept):
                    counts[a, kept[i + k]] += 1 / k
                    counts[kept[i + k], a] += 1 / k
        done += len(kept)
        if done >= LOOP_TOKENS:
            break
    return (time.perf_counter() - start) * corpus.n_tokens / done


@numba.njit(cache=False)
def _per_cell_epoch(W, Wc, b, bc, gW, gWc, gb, gbc, rows, cols, x, order, lr, x_max, alpha):
    """glove.c's inner loop: AdaGrad on one cell at a time (compiled, single thread)."""
    for k in order:
        r, c = rows[k], cols[k]
        residual = b[r] + bc[c] - np.log(x[k])
        for d in range(W.shape[1]):
            residual += W[r, d] * Wc[c, d]
        g = 2 * min(1.0, (x[k] / x_max) ** alpha) * residual
        for d in range(W.shape[1]):
            t1, t2 = g * Wc[c, d], g * W[r, d]
            gW[r, d] += t1 * t1
            gWc[c, d] += t2 * t2
            W[r, d] -= lr * t1 / np.sqrt(gW[r, d])
            Wc[c, d] -= lr * t2 / np.sqrt(gWc[c, d])
        gb[r] += g * g
        gbc[c] += g * g
        b[r] -= lr * g / np.sqrt(gb[r])
        bc[c] -= lr * g / np.sqrt(gbc[c])


def _per_cell_seconds(cooc, config) -> float:
    coo = cooc.matrix.tocoo()
    params = glove.init_params(len(cooc), config.dim, config.seed)
    sq = [np.ones_like(a) for a in params.arrays()]
    args = (coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data.astype(np.float32))
    small = np.arange(1000)
    _per_cell_epoch(*params.arrays(), *sq, *args, small, config.learning_rate, config.x_max, config.alpha)  # compile
    order = np.random.default_rng(0).permutation(coo.nnz)
    start = time.perf_counter()
    _per_cell_epoch(*params.arrays(), *sq, *args, order, config.learning_rate, config.x_max, config.alpha)
    return time.perf_counter() - start


def _quality_rows() -> list[dict]:
    """Every model cut to the words all of them know, so all answer the same questions."""
    result = glove.load_result()
    pretrained = load_glove()
    models = {"GloVe (ours)": result["glove"], "PPMI-SVD (ours)": result["ppmi_svd"]}
    for path in sorted((ROOT / "data" / "models" / "word2vec").glob("*.npz")):
        from embedlab import word2vec

        models[f"word2vec ({path.stem})"] = word2vec.load_vectors(path)
    models["GloVe 6B 50d (pretrained)"] = pretrained
    common = [w for w in result["glove"].words if all(w in wv for wv in models.values())]
    models = {name: WordVectors(common, np.asarray(wv.vectors[[wv.index[w] for w in common]]))
              for name, wv in models.items()}
    models["GloVe 6B 50d, all 400k words"] = pretrained
    rows = []
    for name, wv in models.items():
        start = time.perf_counter()
        m = evaluate.evaluate_all(wv)
        rows.append({
            "benchmark": f"quality: {name}",
            "ours_s": time.perf_counter() - start,
            "reference_s": None,
            "goal": "table (ours_s = evaluation time)",
            "words": len(wv),
            "analogy": f"{m['analogy']:.3f} (sem {m['analogy_semantic']:.3f}, syn {m['analogy_syntactic']:.3f}; "
                       f"{m['analogy_answered']} answered)",
            "ws353": f"{m['wordsim353']:.3f} ({m['wordsim353_oov']} oov)",
            "simlex": f"{m['simlex999']:.3f} ({m['simlex999_oov']} oov)",
        })
    return rows


def bench() -> list[dict]:
    corpus = data.load_corpus("full")
    run = glove.load_result()["run"]
    window, min_count = run["window"], run["min_count"]
    config = glove.GloVeConfig(**run["config"])

    start = time.perf_counter()
    cooc = glove.cooccurrence(corpus, window=window, min_count=min_count)
    build_s = time.perf_counter() - start
    loop_s = _python_loop_seconds(corpus, len(cooc), window)

    one_epoch = glove.GloVeConfig(**{**run["config"], "epochs": 1})
    model = glove.train(cooc, one_epoch, progress=False)
    epoch_s = model.seconds_per_epoch[0]
    cell_s = _per_cell_seconds(cooc, config)

    return [
        {
            "benchmark": f"co-occurrence matrix, full corpus ({corpus.n_tokens / 1e6:.1f}M tokens, window {window})",
            "ours_s": build_s,
            "reference_s": loop_s,
            "goal": "<= 30 s; reference: Python dict loop (extrapolated from 200k tokens)",
            "cells": f"{cooc.matrix.nnz:,} non-zero, {len(cooc):,} words",
        },
        {
            "benchmark": f"GloVe training, one epoch ({cooc.matrix.nnz / 1e6:.1f}M cells, d={config.dim})",
            "ours_s": epoch_s,
            "reference_s": cell_s,
            "goal": "<= 30 s; reference: glove.c's per-cell AdaGrad loop compiled with numba",
            "note": f"committed run: {run['seconds']['per_epoch']} s/epoch x {config.epochs} epochs",
        },
        *_quality_rows(),
    ]
