"""Applications of embeddings (lesson 10): recommendations, cluster names, few-label
classification, and the size of a model.

Search lives in :mod:`embedlab.search` and graph embeddings in :mod:`embedlab.graph`;
document embeddings and their shared evaluation in :mod:`embedlab.documents`.

**Recommendations.** No real interaction data set with a redistributable licence could
be had offline, so :func:`simulate_histories` simulates one, openly: users with a taste
over a few genres pick items of those genres, popular items more often. Item vectors come
from item2vec (Barkan & Koenigstein 2016: the lesson 03 skip-gram trainer on users'
histories, one "sentence" per user). Every recommender is compared with the strong simple
baselines on the same footing: popularity, item-item co-occurrence kNN and a truncated-SVD
factorisation used as a factorisation (a user's scores are their row of ``U S V^T``).
:func:`compare_recommenders` tunes each on a validation item taken from the training
histories only (the same number of settings for every method), then scores the chosen
setting by :func:`hit_rate_at_k` on each user's held-out test item.
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
    "hold_out_one",
    "item2vec",
    "svd_item_vectors",
    "recommend",
    "popular_items",
    "hit_rate_at_k",
    "top_unseen",
    "popularity_scores",
    "item_knn_scores",
    "svd_scores",
    "item2vec_scores",
    "cosine_to_mean_scores",
    "RECOMMENDERS",
    "compare_recommenders",
    "parse_setting",
    "main",
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


def hold_out_one(items: Sequence[np.ndarray], seed: int = 0) -> tuple[list[np.ndarray], np.ndarray]:
    """``(train, held_out)``: every history without one item chosen at random (seeded), and that item.

    For interactions without a time order (such as :func:`simulate_histories`, whose draws
    are independent) this is the unbiased hold-out; "the last item" there is the last *new*
    item, which is biased towards rare items. With real, timed logs hold out the latest
    item instead (:func:`leave_last_out`), or the model is tested on the past.
    """
    short = [u for u, h in enumerate(items) if len(h) < 2]
    if short:
        raise ValueError(f"users {short[:5]} have fewer than two items: nothing left to train on after holding one out")
    rng = np.random.default_rng(seed)
    picks = [int(rng.integers(len(h))) for h in items]
    return [np.delete(h, p) for h, p in zip(items, picks)], np.array([h[p] for h, p in zip(items, picks)])


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
    (scikit-learn): rows of ``V S^{1/2}``. Ranking items by cosine to a user's mean item
    vector (:func:`recommend`) throws away their norms, which carry popularity: to use the
    factorisation as a recommender, score with :func:`svd_scores`."""
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


def top_unseen(scores, train: Sequence[np.ndarray], k: int = 10) -> np.ndarray:
    """The ``k`` best-scored items of every user, ``(n_users, k)``, best first, never an item
    of the user's own history (ties broken by the lower item id)."""
    S = np.array(scores, dtype=np.float64)
    if S.ndim != 2 or len(S) != len(train):
        raise ValueError(f"scores must have shape (n_users={len(train)}, n_items), got {S.shape}")
    for u, h in enumerate(train):
        S[u, np.asarray(h, dtype=np.int64)] = -np.inf
    return np.argsort(-S, axis=1, kind="stable")[:, :k]


def popularity_scores(train: Sequence[np.ndarray], n_items: int) -> np.ndarray:
    """Every user scores every item by its number of interactions: the popularity baseline."""
    counts = np.bincount(np.concatenate(train), minlength=n_items).astype(np.float64)
    return np.broadcast_to(counts, (len(train), n_items))


def item_knn_scores(train: Sequence[np.ndarray], n_items: int, neighbours: int | None = None) -> np.ndarray:
    """Item-item kNN (no training): ``score(u, j) = sum over i in u's history of cos(i, j)``.

    ``cos(i, j)`` is the cosine between the columns of the binary user x item matrix (how
    often the two items share a user, over the geometric mean of their counts). With
    ``neighbours`` set, each item keeps only its that many most similar items.
    """
    X = _interaction_matrix(train, n_items)
    C = (X.T @ X).toarray()
    norms = np.sqrt(np.diag(C))
    S = C / np.maximum(np.outer(norms, norms), 1e-12)
    np.fill_diagonal(S, 0.0)
    if neighbours is not None and neighbours < n_items - 1:
        weakest = np.argpartition(-S, neighbours, axis=0)[neighbours:]
        np.put_along_axis(S, weakest, 0.0, axis=0)  # column j keeps its `neighbours` nearest items
    return np.asarray(X @ S)


def svd_scores(train: Sequence[np.ndarray], n_items: int, rank: int = 32) -> np.ndarray:
    """A rank-``rank`` truncated SVD of the binary user x item matrix used as a factorisation:
    the scores are ``U_r S_r V_r^T`` (user factors times item factors), i.e. ``X V_r V_r^T``."""
    X = _interaction_matrix(train, n_items)
    if not 1 <= rank <= min(X.shape):
        raise ValueError(f"rank must be between 1 and {min(X.shape)}, got {rank}")
    # The right singular vectors of X are the eigenvectors of X^T X (n_items x n_items):
    # cheaper than an SVD of the whole user x item matrix, and V_r V_r^T has no sign ambiguity.
    _, eigenvectors = np.linalg.eigh((X.T @ X).toarray())
    V = eigenvectors[:, ::-1][:, :rank]
    return np.asarray(X @ V) @ V.T


def cosine_to_mean_scores(item_vectors, train: Sequence[np.ndarray]) -> np.ndarray:
    """The scores :func:`recommend` ranks by: cosine between every item and the mean unit
    vector of the user's items (items without a vector score ``-inf``)."""
    V = np.asarray(item_vectors, dtype=np.float64)
    known = np.linalg.norm(V, axis=1) > 0
    unit = np.zeros_like(V)
    unit[known] = V[known] / np.linalg.norm(V[known], axis=1, keepdims=True)
    users = np.stack([unit[np.asarray(h, dtype=np.int64)].mean(0) for h in train])
    norms = np.linalg.norm(users, axis=1, keepdims=True)
    scores = (users / np.maximum(norms, 1e-300)) @ unit.T
    scores[:, ~known] = -np.inf
    return scores


def item2vec_scores(train: Sequence[np.ndarray], n_items: int, seed: int = 0, **options) -> np.ndarray:
    """item2vec as :func:`recommend` uses it: :func:`cosine_to_mean_scores` of the vectors
    :func:`item2vec` learns from ``train`` (``options`` go to :func:`item2vec`)."""
    return cosine_to_mean_scores(item2vec(train, n_items, seed=seed, **options), train)


# name: (score function, the settings tried; every method gets at most four).
RECOMMENDERS = {
    "most popular unseen": (popularity_scores, [{}]),
    "item-kNN (co-occurrence cosine)": (item_knn_scores, [{"neighbours": n} for n in (10, 50, 200, None)]),
    "SVD factorisation (U S V^T)": (svd_scores, [{"rank": r} for r in (8, 16, 32, 64)]),
    "item2vec (lesson 03 skip-gram)": (item2vec_scores, [{"dim": 32, "window": w, "ns_exponent": e}
                                                         for w in (5, 50) for e in (0.75, -0.5)]),
}


def compare_recommenders(histories: Histories, seed: int = 0, k: int = 10,
                         recommenders: Mapping[str, tuple] | None = None):
    """Tune every recommender on training data only, then test the chosen setting.

    Each user's test item is held out at random (:func:`hold_out_one`, ``seed``); a second
    item of the remaining training history is held out as the validation item. Every
    method tries each of its settings (:data:`RECOMMENDERS`, at most four each) fitted on
    the rest, keeps the setting with the best validation hit-rate@k, is refitted on the
    whole training history and scored once on the test items (item2vec trains with
    ``seed``). Returns one long DataFrame: ``part`` ("validation" or "test"), method,
    setting, seed and hit rate (the test rows hold the chosen settings).
    """
    import pandas as pd

    recommenders = RECOMMENDERS if recommenders is None else recommenders
    train, test = hold_out_one(histories.items, seed=seed)
    fit, valid = hold_out_one(train, seed=seed + 1000)
    rows = []
    for name, (score, grid) in recommenders.items():
        rates = []
        for setting in grid:
            options = {**setting, "seed": seed} if score is item2vec_scores else setting
            rates.append(hit_rate_at_k(top_unseen(score(fit, histories.n_items, **options), fit, k), valid))
            rows.append({"part": "validation", "method": name, "setting": _describe(setting), "seed": seed,
                         "hit_rate": rates[-1]})
        best = grid[int(np.argmax(rates))]
        options = {**best, "seed": seed} if score is item2vec_scores else best
        rate = hit_rate_at_k(top_unseen(score(train, histories.n_items, **options), train, k), test)
        rows.append({"part": "test", "method": name, "setting": _describe(best), "seed": seed, "hit_rate": rate})
    return pd.DataFrame(rows)


def parse_setting(text: str) -> dict:
    """The inverse of the ``setting`` column of :func:`compare_recommenders` ("rank=16" -> {"rank": 16})."""
    if text in ("-", ""):
        return {}
    out = {}
    for part in text.split(", "):
        key, value = part.split("=")
        out[key] = None if value == "None" else (float(value) if "." in value else int(value))
    return out


def _describe(setting: Mapping) -> str:
    return ", ".join(f"{key}={value}" for key, value in setting.items()) or "-"


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
                   repeats: int = 10, seed: int = 0, majority: bool = False):
    """Accuracy of logistic regression trained on ``n`` labelled examples per class.

    For every ``n`` in ``per_class`` and each of ``repeats`` seeded draws, ``n`` examples of
    every class are the training set and all the others the test set; the same draws for
    every feature matrix in ``features`` (name -> dense or sparse ``(n_docs, dim)``).
    Returns a long ``DataFrame``: features, per_class, mean and standard deviation of the
    accuracy over the draws. ``majority=True`` adds the rows ``"always the largest class"``:
    the accuracy, on the same test sets, of always answering the most common label (the
    training sets are balanced, so this baseline knows the class sizes a classifier
    trained on them does not; it is the bar a useful classifier must clear).
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
    if majority:
        largest = classes[np.argmax(sizes)]
        for n, trains in draws.items():
            accuracies = [float((labels[np.setdiff1d(np.arange(len(labels)), t)] == largest).mean()) for t in trains]
            rows.append({"features": "always the largest class", "per_class": n, "accuracy": np.mean(accuracies),
                         "std": np.std(accuracies)})
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


# ----------------------------------------------------------------------------- command line
def main(argv: Sequence[str] | None = None) -> None:
    """``python -m embedlab.applications``: the recommender comparison of lesson 10 over
    several seeds (simulation, hold-out and training), written to a CSV."""
    import argparse
    import sys
    from pathlib import Path

    import pandas as pd

    parser = argparse.ArgumentParser(prog="python -m embedlab.applications", description=main.__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("data/models/applications/recommenders.csv"))
    parser.add_argument("--seeds", type=int, default=5, help="data seeds 0, 1, ..., seeds - 1")
    args = parser.parse_args(argv)
    tables = []
    for seed in range(args.seeds):
        histories = simulate_histories(n_users=3000, n_items=1000, n_genres=20, seed=seed)
        tables.append(compare_recommenders(histories, seed=seed))
        print(tables[-1][tables[-1]["part"] == "test"].to_string(index=False))
    table = pd.concat(tables, ignore_index=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False, float_format="%.4f")
    from embedlab.datasets import manifest

    command = "python -m embedlab.applications " + " ".join(argv if argv is not None else sys.argv[1:])
    manifest.record_trained([args.out], step="models-applications", command=command.strip(),
                            licence="PDDL-1.0 (simulated data)", sources="pip:embedlab (this repository)",
                            notes=f"lesson 10 recommender comparison, simulated histories, {args.seeds} seeds; "
                                  "every method tuned on validation items from the training histories")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
