"""embedlab.similarity against direct formulas, scipy and scikit-learn, plus bad input."""

import numpy as np
import pytest
from scipy.spatial import distance
from sklearn.metrics.pairwise import cosine_similarity, euclidean_distances
from sklearn.neighbors import NearestNeighbors

from embedlab import similarity as sim

APPLE, BANANA = np.array([8.0, 5.0, 7.0]), np.array([9.0, 7.0, 4.0])


@pytest.fixture
def rng():
    return np.random.default_rng(42)


def test_scalar_measures_match_scipy():
    assert sim.dot(APPLE, BANANA) == 8 * 9 + 5 * 7 + 7 * 4
    assert sim.cosine(APPLE, BANANA) == pytest.approx(1 - distance.cosine(APPLE, BANANA), abs=1e-12)
    assert sim.euclidean(APPLE, BANANA) == pytest.approx(distance.euclidean(APPLE, BANANA), abs=1e-12)


def test_cosine_ignores_length_but_dot_and_euclidean_do_not():
    assert sim.cosine(APPLE, 10 * APPLE) == pytest.approx(1.0)
    assert sim.euclidean(APPLE, 10 * APPLE) > 0
    assert sim.dot(APPLE, 10 * BANANA) == pytest.approx(10 * sim.dot(APPLE, BANANA))


def test_on_unit_vectors_the_three_measures_agree(rng):
    """|a - b|^2 = 2 - 2 cos(a, b) for unit vectors: the rankings coincide."""
    X = sim.normalize(rng.normal(size=(50, 8)))
    q = X[0]
    cos = X @ q
    d = np.linalg.norm(X - q, axis=1)
    np.testing.assert_allclose(d**2, 2 - 2 * cos, atol=1e-12)
    for metric in sim.METRICS:
        idx, _ = sim.top_k(q, X, k=10, metric=metric)
        np.testing.assert_array_equal(idx, np.argsort(-cos, kind="stable")[:10])


def test_normalize_gives_unit_rows(rng):
    X = rng.normal(size=(20, 5))
    np.testing.assert_allclose(np.linalg.norm(sim.normalize(X), axis=1), 1.0)
    assert np.linalg.norm(sim.normalize(APPLE)) == pytest.approx(1.0)


def test_pairwise_matrices_match_sklearn(rng):
    A, B = rng.normal(size=(7, 4)), rng.normal(size=(5, 4))
    np.testing.assert_allclose(sim.pairwise_cosine(A, B), cosine_similarity(A, B), atol=1e-12)
    np.testing.assert_allclose(sim.pairwise_euclidean(A, B), euclidean_distances(A, B), atol=1e-10)
    np.testing.assert_allclose(sim.pairwise_dot(A, B), A @ B.T)
    S = sim.pairwise_cosine(A)
    np.testing.assert_allclose(np.diag(S), 1.0)
    np.testing.assert_allclose(S, S.T)
    np.testing.assert_allclose(np.diag(sim.pairwise_euclidean(A)), 0.0, atol=1e-7)


@pytest.mark.parametrize("metric,sk_metric", [("cosine", "cosine"), ("euclidean", "euclidean")])
def test_top_k_matches_sklearn_nearest_neighbors(rng, metric, sk_metric):
    M = rng.normal(size=(3000, 16)).astype(np.float32)
    Q = rng.normal(size=(150, 16)).astype(np.float32)  # more than one query block
    idx, scores = sim.top_k(Q, M, k=7, metric=metric)
    nn = NearestNeighbors(n_neighbors=7, metric=sk_metric, algorithm="brute").fit(M)
    dist, ref = nn.kneighbors(Q)
    np.testing.assert_array_equal(idx, ref)
    expected = 1 - dist if metric == "cosine" else dist
    np.testing.assert_allclose(scores, expected, atol=1e-4)


def test_top_k_dot_and_sorted_scores(rng):
    M, q = rng.normal(size=(100, 6)), rng.normal(size=6)
    idx, scores = sim.top_k(q, M, k=5, metric="dot")
    np.testing.assert_array_equal(idx, np.argsort(-(M @ q))[:5])
    assert np.all(np.diff(scores) <= 0)


def test_top_k_exclude_shared_and_per_query(rng):
    M = rng.normal(size=(50, 4))
    idx, _ = sim.top_k(M[:2], M, k=3, exclude=[[0], [1]])
    assert 0 not in idx[0] and 1 not in idx[1]
    idx, _ = sim.top_k(M[3], M, k=3, exclude=[3])
    assert 3 not in idx
    idx_all, _ = sim.top_k(M[3], M, k=1)
    assert idx_all[0] == 3  # a vector is its own nearest neighbour


def test_zero_vector_is_rejected_for_cosine():
    with pytest.raises(ValueError, match="zero vector"):
        sim.cosine(np.zeros(3), APPLE)
    with pytest.raises(ValueError, match=r"zero vector \(rows \[1\]\)"):
        sim.pairwise_cosine(np.array([[1.0, 0.0], [0.0, 0.0]]))
    with pytest.raises(ValueError, match="zero vector"):
        sim.top_k(np.zeros(2), np.eye(2), k=1)


def test_mismatched_dimensions_are_rejected():
    with pytest.raises(ValueError, match="same dimension, got 3 and 2"):
        sim.cosine(APPLE, [1.0, 2.0])
    with pytest.raises(ValueError, match="same dimension"):
        sim.pairwise_dot(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="same dimension"):
        sim.top_k(np.ones(4), np.ones((5, 3)), k=1)


def test_nan_and_infinity_are_rejected():
    with pytest.raises(ValueError, match="NaN"):
        sim.dot([np.nan, 1.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="NaN"):
        sim.top_k(np.ones(2), np.array([[1.0, np.inf]]), k=1)


def test_wrong_shapes_and_types_are_rejected():
    with pytest.raises(ValueError, match=r"shape \(d,\)"):
        sim.cosine(np.ones((2, 2)), np.ones(2))
    with pytest.raises(ValueError, match="numeric"):
        sim.dot(["a", "b"], [1, 2])
    with pytest.raises(ValueError, match="empty"):
        sim.normalize(np.ones((0, 3)))


def test_k_must_fit_the_matrix():
    with pytest.raises(ValueError, match="k=6 is larger than the 5 candidate rows"):
        sim.top_k(np.ones(2), np.ones((5, 2)), k=6)
    with pytest.raises(ValueError, match="k=5 is larger than the 4 candidate rows"):
        sim.top_k(np.ones(2), np.ones((5, 2)), k=5, exclude=[0])
    with pytest.raises(ValueError, match="positive integer"):
        sim.top_k(np.ones(2), np.ones((5, 2)), k=0)
    with pytest.raises(ValueError, match="metric must be one of"):
        sim.top_k(np.ones(2), np.ones((5, 2)), k=1, metric="manhattan")
    with pytest.raises(ValueError, match="outside the matrix"):
        sim.top_k(np.ones(2), np.ones((5, 2)), k=1, exclude=[9])
