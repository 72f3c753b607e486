"""embedlab.search: the faiss wrapper against exact search, recall, determinism, bad input."""

import numpy as np
import pytest

from embedlab import search, similarity


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    # Clustered points, like real embeddings: an approximate index has something to exploit.
    centres = rng.normal(size=(20, 16))
    database = (centres[rng.integers(20, size=3000)] + 0.3 * rng.normal(size=(3000, 16))).astype(np.float32)
    queries = (centres[rng.integers(20, size=50)] + 0.3 * rng.normal(size=(50, 16))).astype(np.float32)
    exact, exact_scores = similarity.top_k(queries, database, k=10)
    return database, queries, exact, exact_scores


def test_ivf_visiting_every_cell_is_exact_search(data):
    database, queries, exact, exact_scores = data
    index = search.ANNIndex(database, "ivf", nlist=16)
    found, scores = index.search(queries, k=10, nprobe=16)
    np.testing.assert_array_equal(found, exact)
    np.testing.assert_allclose(scores, exact_scores, atol=1e-5)


def test_hnsw_with_a_wide_search_finds_the_exact_neighbours(data):
    database, queries, exact, exact_scores = data
    index = search.ANNIndex(database, "hnsw", M=32, ef_construction=200)
    found, scores = index.search(queries, k=10, ef_search=len(database))
    assert search.recall_at_k(found, exact) == 1.0
    np.testing.assert_allclose(scores, exact_scores, atol=1e-5)


def test_narrow_search_trades_recall_for_speed(data):
    database, queries, exact, _ = data
    index = search.ANNIndex(database, "ivf", nlist=64)
    recalls = [search.recall_at_k(index.search(queries, 10, nprobe=p)[0], exact) for p in (1, 4, 64)]
    assert recalls[0] < recalls[1] <= recalls[2] == 1.0


def test_single_query_gives_one_row_like_top_k(data):
    database, queries, exact, _ = data
    index = search.ANNIndex(database, "ivf", nlist=8)
    found, scores = index.search(queries[0], k=5, nprobe=8)
    assert found.shape == scores.shape == (5,)
    np.testing.assert_array_equal(found, exact[0, :5])


@pytest.mark.parametrize("kind", search.KINDS)
def test_building_and_searching_twice_gives_the_same_answer(data, kind):
    database, queries, _, _ = data
    runs = [search.ANNIndex(database, kind).search(queries, k=10) for _ in range(2)]
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    assert runs[0][0].shape == (len(queries), 10)


def test_memory_and_build_time_are_recorded(data):
    database = data[0]
    index = search.ANNIndex(database, "hnsw")
    assert index.memory_bytes > database.nbytes  # the vectors plus the graph's links
    assert index.build_seconds > 0


def test_recall_at_k_counts_shared_neighbours_regardless_of_order():
    assert search.recall_at_k([[1, 2, 3]], [[3, 2, 1]]) == 1.0
    assert search.recall_at_k([[1, 2], [5, 6]], [[1, 9], [7, 8]]) == 0.25
    with pytest.raises(ValueError, match="same shape"):
        search.recall_at_k([[1, 2]], [[1, 2, 3]])


def test_held_out_queries_are_not_in_the_database():
    vectors = np.arange(40, dtype=np.float32).reshape(20, 2)
    database, queries = search.held_out_queries(vectors, n_queries=5, seed=1)
    assert len(database) == 15 and len(queries) == 5
    assert not set(map(tuple, database)) & set(map(tuple, queries))
    with pytest.raises(ValueError, match="leaves no database"):
        search.held_out_queries(vectors, n_queries=20)


def test_search_curve_has_brute_force_and_both_indexes(data):
    database, queries, _, _ = data
    curve = search.search_curve(database, queries, ef_search=(10, 400), nprobe=(1, 54), nlist=54)
    assert list(curve["method"].unique()) == ["brute force", "HNSW", "IVF"]
    assert curve.loc[curve["method"] == "brute force", "recall_at_k"].item() == 1.0
    assert curve.loc[(curve["method"] == "IVF") & (curve["value"] == 54), "recall_at_k"].item() == 1.0
    assert (curve["queries_per_s"] > 0).all()


def test_bad_input_is_explained(data):
    database, queries, _, _ = data
    with pytest.raises(ValueError, match="kind must be one of"):
        search.ANNIndex(database, "annoy")
    with pytest.raises(ValueError, match="zero vector"):
        search.ANNIndex(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="NaN"):
        search.ANNIndex(np.full((5, 3), np.nan))
    with pytest.raises(ValueError, match="nlist=100 cells need at least"):
        search.ANNIndex(database[:50], "ivf", nlist=100)
    index = search.ANNIndex(database, "ivf", nlist=8)
    with pytest.raises(ValueError, match=r"shape \(n_queries, 16\)"):
        index.search(queries[:, :3])
    with pytest.raises(ValueError, match="k=5000 is larger"):
        index.search(queries, k=5000)
    with pytest.raises(ValueError, match="nprobe=9 is more than"):
        index.search(queries, nprobe=9)
    with pytest.raises(ValueError, match="tuned with nprobe"):
        index.search(queries, ef_search=10)
    with pytest.raises(ValueError, match="k must be a positive integer"):
        index.search(queries, k=0)
