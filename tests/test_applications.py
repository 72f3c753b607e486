"""embedlab.applications: simulated histories, item2vec, recommendation metrics, cluster
names, learning curves and model sizes."""

import numpy as np
import pytest
import torch

from embedlab import applications as app
from embedlab.vectors import WordVectors


@pytest.fixture(scope="module")
def histories():
    return app.simulate_histories(n_users=600, n_items=200, n_genres=8, mean_length=20, seed=0)


def test_simulation_is_seeded_and_histories_have_no_repeats(histories):
    again = app.simulate_histories(n_users=600, n_items=200, n_genres=8, mean_length=20, seed=0)
    assert all(np.array_equal(a, b) for a, b in zip(histories.items, again.items))
    assert all(len(h) == len(set(h.tolist())) for h in histories.items)
    assert all(0 <= h.min() and h.max() < 200 for h in histories.items)
    # Small taste concentration: most of a user's items share a few genres.
    top_genre_share = np.mean([np.bincount(histories.item_genre[h]).max() / len(h) for h in histories.items])
    assert top_genre_share > 0.5, "a user with no favourite genre would have about 1/8 here"


def test_leave_last_out_holds_out_the_last_item(histories):
    train, held_out = app.leave_last_out(histories)
    assert all(len(t) == len(h) - 1 and h[-1] == o for t, h, o in zip(train, histories.items, held_out))
    with pytest.raises(ValueError, match="fewer than two items"):
        app.leave_last_out(app.Histories([np.array([1])], 5, np.zeros(5, int)))


def test_hit_rate_counts_users_whose_item_was_recommended():
    recommendations = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    assert app.hit_rate_at_k(recommendations, [3, 0, 7]) == pytest.approx(2 / 3)
    assert app.hit_rate_at_k(recommendations, [3, 0, 7], k=1) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="k must be between 1 and 3"):
        app.hit_rate_at_k(recommendations, [3, 0, 7], k=4)
    with pytest.raises(ValueError, match=r"shape \(n_users=2"):
        app.hit_rate_at_k(recommendations, [3, 0])


def test_recommendations_exclude_seen_items_and_rank_by_cosine():
    vectors = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.7, 0.7]])
    recs = app.recommend(vectors, [np.array([0])], k=3)
    np.testing.assert_array_equal(recs, [[1, 3, 2]])
    with pytest.raises(ValueError, match="no item with a vector"):
        app.recommend(np.array([[0.0, 0.0], [1.0, 0.0]]), [np.array([0])], k=1)


def test_every_recommender_beats_popularity_and_svd_needs_its_norms(histories):
    train, held_out = app.hold_out_one(histories.items, seed=0)
    rate = lambda scores: app.hit_rate_at_k(app.top_unseen(scores, train, 10), held_out)
    popular = rate(app.popularity_scores(train, histories.n_items))
    assert popular == app.hit_rate_at_k(app.popular_items(train, histories.n_items, 10), held_out)
    knn = rate(app.item_knn_scores(train, histories.n_items))
    factorised = rate(app.svd_scores(train, histories.n_items, rank=8))
    learned = rate(app.item2vec_scores(train, histories.n_items, dim=16))
    assert min(knn, factorised, learned) > popular
    # The same SVD item vectors ranked by cosine to the user's mean lose the norms (popularity).
    by_cosine = rate(app.cosine_to_mean_scores(app.svd_item_vectors(train, histories.n_items, dim=8), train))
    assert factorised > by_cosine


def test_hold_out_one_is_seeded_and_takes_one_item_per_user(histories):
    train, held = app.hold_out_one(histories.items, seed=3)
    again, held_again = app.hold_out_one(histories.items, seed=3)
    assert np.array_equal(held, held_again) and all(np.array_equal(a, b) for a, b in zip(train, again))
    for t, h, o in zip(train, histories.items, held):
        assert len(t) == len(h) - 1 and o in h and o not in t
    positions = [list(h).index(o) for h, o in zip(histories.items, held)]
    assert np.mean([p == len(h) - 1 for p, h in zip(positions, histories.items)]) < 0.2, "not always the last item"
    with pytest.raises(ValueError, match="fewer than two items"):
        app.hold_out_one([np.array([1])])


def test_item_knn_and_svd_scores_match_their_definitions():
    train = [np.array([0, 1]), np.array([1, 2]), np.array([0, 1, 2]), np.array([3])]
    X = np.zeros((4, 5))
    for u, h in enumerate(train):
        X[u, h] = 1
    norms = np.linalg.norm(X, axis=0)
    cos = (X.T @ X) / np.maximum(np.outer(norms, norms), 1e-12)
    np.fill_diagonal(cos, 0)
    np.testing.assert_allclose(app.item_knn_scores(train, 5), X @ cos)
    kept = app.item_knn_scores(train, 5, neighbours=1)
    assert kept.shape == (4, 5) and (kept <= X @ cos + 1e-12).all()
    U, S, Vt = np.linalg.svd(X, full_matrices=False)
    np.testing.assert_allclose(app.svd_scores(train, 5, rank=2), U[:, :2] * S[:2] @ Vt[:2], atol=1e-10)
    with pytest.raises(ValueError, match="rank must be between 1 and 4"):
        app.svd_scores(train, 5, rank=9)


def test_top_unseen_never_returns_history_items():
    scores = np.array([[5.0, 4.0, 3.0, 2.0], [1.0, 2.0, 3.0, 4.0]])
    np.testing.assert_array_equal(app.top_unseen(scores, [np.array([0]), np.array([3, 2])], k=2), [[1, 2], [1, 0]])
    with pytest.raises(ValueError, match="n_users=3"):
        app.top_unseen(scores, [np.array([0])] * 3)


def test_compare_recommenders_tunes_on_validation_and_tests_the_choice(histories):
    small = {"most popular unseen": (app.popularity_scores, [{}]),
             "SVD factorisation": (app.svd_scores, [{"rank": 2}, {"rank": 8}])}
    table = app.compare_recommenders(histories, seed=1, recommenders=small)
    valid = table[(table["part"] == "validation") & (table["method"] == "SVD factorisation")]
    test = table[(table["part"] == "test") & (table["method"] == "SVD factorisation")].iloc[0]
    assert test["setting"] == valid.loc[valid["hit_rate"].idxmax(), "setting"]
    train, held = app.hold_out_one(histories.items, seed=1)
    expected = app.hit_rate_at_k(app.top_unseen(app.svd_scores(train, histories.n_items, **app.parse_setting(test["setting"])),
                                                train, 10), held)
    assert test["hit_rate"] == expected
    assert app.parse_setting("dim=32, window=5, ns_exponent=-0.5, neighbours=None") == \
        {"dim": 32, "window": 5, "ns_exponent": -0.5, "neighbours": None}


def test_item2vec_puts_items_of_a_genre_together(histories):
    train, _ = app.leave_last_out(histories)
    V = app.item2vec(train, histories.n_items, dim=16)
    seen = np.linalg.norm(V, axis=1) > 0
    unit = V[seen] / np.linalg.norm(V[seen], axis=1, keepdims=True)
    genre = histories.item_genre[seen]
    same = genre[:, None] == genre[None, :]
    S = unit @ unit.T
    assert S[same].mean() > S[~same].mean() + 0.2


def test_popular_items_skips_what_the_user_has_seen():
    train = [np.array([0, 1]), np.array([0]), np.array([0, 2])]
    np.testing.assert_array_equal(app.popular_items(train, 4, k=2), [[2, 3], [1, 2], [1, 3]])


def test_top_terms_names_clusters_by_their_distinctive_words():
    texts = ["the cat purrs", "a cat and a kitten", "the dog barks", "a dog and a puppy"]
    names = app.top_terms(texts, [0, 0, 1, 1], n_terms=1, min_df=1)
    assert names == {0: ["cat"], 1: ["dog"]}
    with pytest.raises(ValueError, match="4 texts but 3 cluster labels"):
        app.top_terms(texts, [0, 0, 1])


def test_learning_curve_gets_better_with_more_labels():
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1, 2], 40)
    X = rng.normal(size=(120, 5)) + 3.0 * np.eye(5)[labels]
    curve = app.learning_curve({"signal": X, "noise": rng.normal(size=(120, 5))}, labels, per_class=(1, 20), repeats=5)
    signal = curve[curve["features"] == "signal"].set_index("per_class")["accuracy"]
    noise = curve[curve["features"] == "noise"].set_index("per_class")["accuracy"]
    assert signal[20] > signal[1] and signal[20] > 0.8 and noise[20] < 0.5
    labels_uneven = np.repeat([0, 1, 2], [60, 30, 30])
    with_majority = app.learning_curve({"noise": rng.normal(size=(120, 5))}, labels_uneven, per_class=(1, 5),
                                       repeats=3, majority=True)
    majority = with_majority[with_majority["features"] == "always the largest class"].set_index("per_class")["accuracy"]
    assert majority[1] == pytest.approx(59 / 117) and majority[5] == pytest.approx(55 / 105)
    with pytest.raises(ValueError, match="leaves no test example"):
        app.learning_curve({"x": X}, labels, per_class=(40,))


def test_model_megabytes_of_arrays_word_vectors_and_torch_modules():
    assert app.model_megabytes(np.zeros((1024, 256), np.float32)) == 1.0
    assert app.model_megabytes(WordVectors(["a", "b"], np.zeros((2, 2**17), np.float32))) == 1.0
    assert app.model_megabytes(torch.nn.Linear(2**18, 1, bias=False)) == 1.0
    with pytest.raises(TypeError, match="do not know how to measure"):
        app.model_megabytes("MiniLM")
