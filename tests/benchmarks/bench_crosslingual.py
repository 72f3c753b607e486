"""Cross-lingual alignment (lesson 11): fitting the Procrustes map and translating with it,
on the lesson's vocabulary (5,321 English x 6,000 Spanish words, 100 dimensions).

ours_s = embedlab.crosslingual, reference_s = SciPy's orthogonal_procrustes for the fit and
a plain full-sort nearest-neighbour search (NumPy argsort of every cosine row) for the
translation. Both sides get the same normalised vectors and, like embedlab.crosslingual,
one BLAS thread (threadpoolctl); medians of interleaved runs.
"""

import numpy as np
import scipy.linalg
from threadpoolctl import threadpool_limits
from timing import interleaved_medians

from embedlab import crosslingual
from embedlab.vectors import WordVectors


def one_thread(fn):
    def run():
        with threadpool_limits(1):
            return fn()
    return run


def bench() -> list[dict]:
    english, spanish = crosslingual.load_vectors("en"), crosslingual.load_vectors("es")
    pairs = crosslingual.load_dictionary()
    dictionary = crosslingual.dictionary_in_vocab(zip(pairs["en"], pairs["es"]), english, spanish)
    train, test = crosslingual.split_by_source(dictionary, 0.3, seed=0)
    en = WordVectors(english.words, crosslingual.normalize(english.vectors))
    es = WordVectors(spanish.words, crosslingual.normalize(spanish.vectors))
    X, Y = crosslingual.pairs_matrices(train, en, es, center=False)
    (fit_ours, fit_ref), (W, W_ref) = interleaved_medians(
        lambda: crosslingual.procrustes(X, Y), one_thread(lambda: scipy.linalg.orthogonal_procrustes(X, Y)[0]), repeats=5)
    words = en.words  # translate the whole English vocabulary

    def full_sort_nn():
        mapped = en.vectors[[en.index[w] for w in words]] @ W
        scores = crosslingual.normalize(mapped, center=False) @ es.vectors.T
        return [[es.words[j] for j in row[:5]] for row in np.argsort(-scores, axis=1, kind="stable")]

    (nn_ours, nn_ref), (got, ref) = interleaved_medians(
        lambda: crosslingual.translate(words, en, es, W, k=5, method="nn"), one_thread(full_sort_nn), repeats=3)
    (csls_ours,), _ = interleaved_medians(
        lambda: crosslingual.translate(words, en, es, W, k=5, method="csls"), repeats=3)
    agree = np.mean([a[0] == b[0] for a, b in zip(got, ref)])
    return [
        {"benchmark": f"Procrustes fit, {len(X):,} pairs x {X.shape[1]} dims",
         "ours_s": fit_ours, "reference_s": fit_ref, "goal": "equal to SciPy (max diff < 1e-8), same speed",
         "max_abs_diff": f"{np.abs(W - W_ref).max():.1e}"},
        {"benchmark": f"translate {len(words):,} English words into {len(es.words):,} Spanish, top-5 NN",
         "ours_s": nn_ours, "reference_s": nn_ref, "goal": "same top-1 as a full sort, faster",
         "top1_agreement": f"{agree:.4f}"},
        {"benchmark": f"translate {len(words):,} English words, top-5 CSLS (k = 10)",
         "ours_s": csls_ours, "reference_s": nn_ours, "goal": "CSLS costs a few times NN (reference = our NN)",
         "test_words": len(test)},
    ]
