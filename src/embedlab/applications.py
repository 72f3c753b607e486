"""Applications of embeddings (lesson 10): recommendations, cluster names, few-label
classification, and the size of a model.

Search lives in :mod:`embedlab.search` and graph embeddings in :mod:`embedlab.graph`;
document embeddings and their shared evaluation in :mod:`embedlab.documents`.

**Recommendations.** No real interaction data set with a redistributable licence could
be had offline, so :func:`simulate_histories` simulates one, openly: users with a taste
over a few genres pick items of those genres, popular items more often. Item vectors come
from item2vec (Barkan & Koenigstein 2016: the lesson 03 skip-gram trainer on users'
histories, one "sentence" per user) or from a factorisation of the user x item matrix;
both are scored by :func:`hit_rate_at_k` on each user's held-out last item.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from embedlab import similarity, word2vec

__all__ = [
    "Histories",
    "simulate_histories",
    "leave_last_out",
    "item2vec",
    "svd_item_vectors",
    "recommend",
    "popular_items",
    "hit_rate_at_k",
    "top_terms",
    "learning_curve",
    "model_megabytes",
]


# ----------------------------------------------------------------------------- recommendations
@dataclass(frozen=True)
class Histories:
    """Users' interaction histories: ``items[u]`` is user ``u``'s item ids, oldest first."""

    items: list[np.ndarray]
    n_items: int
    item_genre: np.ndarray  # the simulated genre of every item (the truth item vectors should recover)


def simulate_histories(n_users: int = 3000, n_items: int = 1000, n_genres: int = 20, mean_length: int = 30,
                       taste_concentration: float = 0.1, popularity_exponent: float = 1.0,
                       seed: int = 0) -> Histories:
    """A seeded, simulated implicit-feedback data set (a latent-taste model).

    Every item belongs to one of ``n_genres`` genres and has a popularity that falls with
    its rank inside the genre (Zipf, ``1 / rank ** popularity_exponent``). Every user draws
    a taste over genres from a Dirichlet with ``taste_concentration`` (small: a few
    favourite genres) and a history length ``5 + Poisson(mean_length - 5)``; each
    interaction picks a genre from the taste, then an item of that genre by popularity.
    A user meets an item at most once (repeats are dropped).
    """
    for name, value in {"n_users": n_users, "n_items": n_items, "n_genres": n_genres, "mean_length": mean_length}.items():
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if n_genres > n_items:
        raise ValueError(f"n_genres={n_genres} is more than n_items={n_items}: every genre needs an item")
    if mean_length < 5:
        raise ValueError(f"mean_length must be at least 5 (the minimum history), got {mean_length}")
    rng = np.random.default_rng(seed)
    item_genre = rng.permutation(np.arange(n_items) % n_genres)
    members = [np.flatnonzero(item_genre == g) for g in range(n_genres)]
    popularity = [1.0 / np.arange(1, len(m) + 1) ** popularity_exponent for m in members]
    popularity = [p / p.sum() for p in popularity]
    histories = []
    for _ in range(n_users):
        taste = rng.dirichlet(np.full(n_genres, taste_concentration))
        genres = rng.choice(n_genres, size=5 + rng.poisson(mean_length - 5), p=taste)
        picks = [members[g][rng.choice(len(members[g]), p=popularity[g])] for g in genres]
        histories.append(np.array(list(dict.fromkeys(picks)), dtype=np.int64))
    return Histories(histories, n_items, item_genre)


def leave_last_out(histories: Histories) -> tuple[list[np.ndarray], np.ndarray]:
    """``(train, held_out)``: every user's history without its last item, and that item.

    Users with fewer than two items have nothing to learn from and are refused.
    """
    short = [u for u, h in enumerate(histories.items) if len(h) < 2]
    if short:
        raise ValueError(f"users {short[:5]} have fewer than two items: nothing left to train on after holding one out")
    return [h[:-1] for h in histories.items], np.array([h[-1] for h in histories.items])


def item2vec(train: Sequence[np.ndarray], n_items: int, dim: int = 32, window: int = 10, epochs: int = 10,
             seed: int = 0, **word2vec_options) -> np.ndarray:
    """Item vectors ``(n_items, dim)`` from skip-gram on users' histories (lesson 03 trainer).

    Each history is a sentence whose words are item ids; a wide ``window`` because the
    order of a user's items matters little. Every item is kept (``min_count=1``); frequent
    items are subsampled as frequent words are. Items never seen in training get a zero row.
    """
    sentences = [[str(i) for i in h] for h in train]
    options = {"min_count": 1, **word2vec_options}
    model = word2vec.train(sentences, dim=dim, window=window, epochs=epochs, seed=seed, progress=False, **options)
    vectors = np.zeros((n_items, dim), dtype=np.float32)
    vectors[np.array(model.vocab.words, dtype=np.int64)] = model.input_vectors
    return vectors


def _interaction_matrix(train: Sequence[np.ndarray], n_items: int):
    from scipy import sparse

    rows = np.repeat(np.arange(len(train)), [len(h) for h in train])
    cols = np.concatenate(train)
    return sparse.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(train), n_items))


def svd_item_vectors(train: Sequence[np.ndarray], n_items: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    """Item vectors ``(n_items, dim)`` from a truncated SVD of the binary user x item matrix
    (scikit-learn): rows of ``V S^{1/2}``, the classic matrix-factorisation baseline."""
    from sklearn.decomposition import TruncatedSVD

    svd = TruncatedSVD(n_components=dim, random_state=seed).fit(_interaction_matrix(train, n_items))
    return (svd.components_.T * np.sqrt(svd.singular_values_)).astype(np.float32)


def recommend(item_vectors, train: Sequence[np.ndarray], k: int = 10) -> np.ndarray:
    """Top-``k`` unseen items for every user, ``(n_users, k)``, best first.

    A user's vector is the mean of the unit vectors of the items in their history; items
    are ranked by cosine similarity to it (:func:`embedlab.similarity.top_k`), the user's
    own items excluded. Items without a vector (zero rows) are never recommended.
    """
    V = np.asarray(item_vectors, dtype=np.float32)
    known = np.linalg.norm(V, axis=1) > 0
    if not known.any():
        raise ValueError("every item vector is zero: nothing to recommend from")
    unit = np.zeros_like(V)
    unit[known] = similarity.normalize(V[known], "item_vectors")
    users = np.stack([unit[h].mean(0) if len(h) else np.zeros(V.shape[1], np.float32) for h in train])
    empty = np.flatnonzero(np.linalg.norm(users, axis=1) == 0)
    if len(empty):
        raise ValueError(f"users {empty[:5].tolist()} have no item with a vector: cannot place them")
    exclude = [set(h.tolist()) | set(np.flatnonzero(~known).tolist()) for h in train]
    return similarity.top_k(users, unit, k=k, exclude=exclude, normalized=True)[0]


def popular_items(train: Sequence[np.ndarray], n_items: int, k: int = 10) -> np.ndarray:
    """The baseline: every user gets the ``k`` most popular items they have not seen."""
    counts = np.bincount(np.concatenate(train), minlength=n_items)
    ranking = np.argsort(-counts, kind="stable")
    return np.stack([ranking[~np.isin(ranking, h)][:k] for h in train])


def hit_rate_at_k(recommendations, held_out, k: int | None = None) -> float:
    """Share of users whose held-out item is among their first ``k`` recommendations."""
    recommendations, held_out = np.asarray(recommendations), np.asarray(held_out)
    if recommendations.ndim != 2 or len(recommendations) != len(held_out):
        raise ValueError(f"recommendations must have shape (n_users={len(held_out)}, k), got {recommendations.shape}")
    k = recommendations.shape[1] if k is None else k
    if not 1 <= k <= recommendations.shape[1]:
        raise ValueError(f"k must be between 1 and {recommendations.shape[1]}, got {k}")
    return float((recommendations[:, :k] == held_out[:, None]).any(axis=1).mean())


# ----------------------------------------------------------------------------- clustering
def top_terms(texts: Sequence[str], clusters, n_terms: int = 5, min_df: int = 2) -> dict:
    """Name clusters by their ``n_terms`` highest mean TF-IDF words: ``{cluster: [words]}``.

    TF-IDF (lesson 06) down-weights words every text uses, so the names are the words that
    set a cluster apart rather than "what", "is", "you". English stop words are left out.
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from embedlab.documents import Tfidf

    clusters = np.asarray(clusters)
    if len(clusters) != len(texts):
        raise ValueError(f"got {len(texts)} texts but {len(clusters)} cluster labels")
    tfidf = Tfidf(min_df=min_df)
    X = tfidf.fit_transform(texts)
    allowed = np.array([w not in ENGLISH_STOP_WORDS for w in tfidf.vocabulary])
    names = {}
    for c in np.unique(clusters):
        mean = np.asarray(X[clusters == c].mean(axis=0)).ravel() * allowed
        names[c.item() if hasattr(c, "item") else c] = [tfidf.vocabulary[i] for i in np.argsort(-mean, kind="stable")[:n_terms]]
    return names


# ----------------------------------------------------------------------------- classification
def learning_curve(features: Mapping[str, object], labels, per_class: Sequence[int] = (1, 2, 5, 10, 20),
                   repeats: int = 10, seed: int = 0):
    """Accuracy of logistic regression trained on ``n`` labelled examples per class.

    For every ``n`` in ``per_class`` and each of ``repeats`` seeded draws, ``n`` examples of
    every class are the training set and all the others the test set; the same draws for
    every feature matrix in ``features`` (name -> dense or sparse ``(n_docs, dim)``).
    Returns a long ``DataFrame``: features, per_class, mean and standard deviation of the
    accuracy over the draws.
    """
    import pandas as pd
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    labels = np.asarray(labels)
    classes, sizes = np.unique(labels, return_counts=True)
    if max(per_class) >= sizes.min():
        raise ValueError(f"per_class={max(per_class)} leaves no test example of the smallest class ({sizes.min()} examples)")
    rng = np.random.default_rng(seed)
    draws = {n: [np.concatenate([rng.choice(np.flatnonzero(labels == c), n, replace=False) for c in classes])
                 for _ in range(repeats)] for n in per_class}
    rows = []
    for name, X in features.items():
        if X.shape[0] != len(labels):
            raise ValueError(f"features {name!r} have {X.shape[0]} rows for {len(labels)} labels")
        X = X if sparse.issparse(X) else np.asarray(X, dtype=np.float64)
        for n, trains in draws.items():
            accuracies = []
            for train in trains:
                test = np.setdiff1d(np.arange(len(labels)), train)
                with threadpool_limits(1):  # tiny problems: threads only add overhead
                    model = LogisticRegression(max_iter=2000).fit(X[train], labels[train])
                accuracies.append(float((model.predict(X[test]) == labels[test]).mean()))
            rows.append({"features": name, "per_class": n, "accuracy": np.mean(accuracies), "std": np.std(accuracies)})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- model size
def model_megabytes(model) -> float:
    """Memory of a model's parameters in MiB, as loaded (not compressed on disk).

    Understands NumPy arrays, ``WordVectors`` (``.vectors``), torch modules, gensim models
    (their vector tables) and the course's trained models (``.input_vectors``).
    """
    if isinstance(model, np.ndarray):
        return model.nbytes / 2**20
    if hasattr(model, "parameters") and callable(model.parameters):  # torch
        return sum(p.numel() * p.element_size() for p in model.parameters()) / 2**20
    for attribute in ("vectors", "input_vectors"):
        if hasattr(model, attribute):
            return np.asarray(getattr(model, attribute)).nbytes / 2**20
    if hasattr(model, "dv") and hasattr(model, "wv"):  # gensim Doc2Vec
        return (model.dv.vectors.nbytes + model.wv.vectors.nbytes + model.syn1neg.nbytes) / 2**20
    raise TypeError(f"do not know how to measure a {type(model).__name__}")
