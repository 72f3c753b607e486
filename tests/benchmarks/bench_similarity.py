"""Top-10 cosine neighbours of 1,000 GloVe words over all 400k: embedlab vs scikit-learn."""

import numpy as np
from sklearn.neighbors import NearestNeighbors

from embedlab import similarity
from embedlab.pretrained import load_glove
from timing import interleaved_medians

REPEATS = 3


def bench() -> list[dict]:
    glove = load_glove()
    matrix = np.ascontiguousarray(glove.vectors, dtype=np.float32)
    queries = matrix[np.random.default_rng(0).choice(len(matrix), 1000, replace=False)]
    nn = NearestNeighbors(n_neighbors=10, metric="cosine", algorithm="brute").fit(matrix)
    (ours_s, ref_s), ((ours, _), (_, ref)) = interleaved_medians(
        lambda: similarity.top_k(queries, matrix, k=10), lambda: nn.kneighbors(queries), repeats=REPEATS
    )
    same = float(np.mean([set(a) == set(b) for a, b in zip(ours, ref)]))
    return [{
        "benchmark": "top-10 cosine, 1k queries x 400k GloVe",
        "ours_s": ours_s,
        "reference_s": ref_s,
        "goal": ">= 1 (at least as fast as sklearn brute)",
        "same_neighbours": f"{same:.1%} of queries",
    }]
