"""Tests of embedlab.documents: TF-IDF parity with scikit-learn, averaged vectors, SIF,
Doc2Vec determinism and inference, and the shared evaluation."""

import numpy as np
import pytest
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.neighbors import NearestNeighbors

from embedlab import documents
from embedlab.vectors import WordVectors

TOY = [
    "The cat sat on the mat.",
    "The dog sat on the log; the dog barked!",
    "Cats and dogs: don't fight.",
    "A café in Paris, 1790.",
]


@pytest.fixture(scope="module")
def chatterbot():
    return documents.labelled_documents("chatterbot")


@pytest.fixture(scope="module")
def toy_vectors():
    return WordVectors(["the", "cat", "dog"], np.array([[0.0, 0.0, 10.0], [1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]]),
                       name="toy")


# ----------------------------------------------------------------------------- tokens
def test_tokenize_follows_the_corpus_rules():
    assert documents.tokenize("A Café, don't: well-known 1790!") == ["a", "cafe", "don't", "well", "known"]


def test_a_single_string_is_not_a_list_of_documents():
    with pytest.raises(TypeError, match="single string"):
        documents.tokenize_all("the cat sat")
    with pytest.raises(TypeError, match="single string"):
        documents.Tfidf().fit("the cat sat")


# ----------------------------------------------------------------------------- TF-IDF
@pytest.mark.parametrize("options", [
    {},
    {"smooth_idf": False},
    {"sublinear_tf": True},
    {"norm": "l1", "sublinear_tf": True, "smooth_idf": False},
    {"norm": None},
    {"min_df": 2},
])
def test_tfidf_equals_sklearn(chatterbot, options):
    texts = chatterbot[0][:400]
    ours = documents.Tfidf(**options)
    X = ours.fit_transform(texts)
    reference = TfidfVectorizer(analyzer=documents.tokenize, **options)
    R = reference.fit_transform(texts)
    assert ours.vocabulary == reference.get_feature_names_out().tolist()
    assert np.abs(ours.idf - reference.idf_).max() < 1e-9
    assert X.shape == R.shape and abs(X - R).max() < 1e-9
    # new documents (with unseen words and an empty one) go through the same fitted model
    new = chatterbot[0][400:450] + ["", "zzzz qqqq"]
    assert abs(ours.transform(new) - reference.transform(new)).max() < 1e-9


def test_bag_of_words_equals_sklearn_counts(chatterbot):
    from sklearn.feature_extraction.text import CountVectorizer

    texts = chatterbot[0][:200]
    ours = documents.Tfidf().fit(texts)
    reference = CountVectorizer(analyzer=documents.tokenize).fit(texts)
    assert ours.vocabulary == reference.get_feature_names_out().tolist()
    assert abs(ours.counts(texts) - reference.transform(texts)).max() == 0


def test_tfidf_small_case_by_hand():
    X = documents.Tfidf(norm=None).fit_transform(["a a b", "b c"])
    # idf = ln((1+2)/(1+df)) + 1: a and c in one document, b in both
    idf_one, idf_both = np.log(3 / 2) + 1, 1.0
    expected = np.array([[2 * idf_one, idf_both, 0.0], [0.0, idf_both, idf_one]])
    assert np.allclose(X.toarray(), expected, atol=1e-12)


def test_tfidf_empty_documents_and_unknown_words():
    model = documents.Tfidf().fit(TOY)
    X = model.transform(["", "zebra quagga", "cat zebra"])
    assert sparse.issparse(X)
    assert X[0].nnz == 0 and X[1].nnz == 0, "no known word: a zero row"
    assert np.isclose(sparse.linalg.norm(X[2]), 1.0), "unknown words are skipped, the rest is normalised"
    with pytest.raises(ValueError, match=r"documents \[0, 1\] have no word"):
        model.transform(["", "zebra quagga", "cat zebra"], empty="raise")
    with pytest.raises(ValueError, match="empty vocabulary"):
        documents.Tfidf().fit(["", "1790 !!"])
    with pytest.raises(ValueError, match="zero documents"):
        documents.Tfidf().fit([])
    with pytest.raises(ValueError, match="not fitted"):
        documents.Tfidf().transform(TOY)
    with pytest.raises(ValueError, match="norm must be"):
        documents.Tfidf(norm="l3")


# ----------------------------------------------------------------------------- averaged vectors and SIF
def test_average_word_vectors_skips_unknown_words(toy_vectors):
    X = documents.average_word_vectors(["the cat cat zebra", "", "zebra"], toy_vectors)
    assert X.shape == (3, 3)
    assert np.allclose(X[0], (toy_vectors["the"] + 2 * toy_vectors["cat"]) / 3)
    assert np.all(X[1] == 0) and np.all(X[2] == 0), "documents with no known word are zero rows"
    with pytest.raises(ValueError, match=r"documents \[1, 2\] have no word in the vocabulary of toy"):
        documents.average_word_vectors(["the cat", "", "zebra"], toy_vectors, empty="raise")
    weighted = documents.average_word_vectors([["the", "dog"]], toy_vectors, weights={"the": 0.5})
    assert np.allclose(weighted[0], (0.5 * toy_vectors["the"] + toy_vectors["dog"]) / 2)


def test_sif_weights_by_hand():
    weights = documents.sif_weights({"the": 8, "cat": 1, "dog": 1}, a=0.1)
    assert weights["the"] == pytest.approx(0.1 / (0.1 + 0.8))
    assert weights["cat"] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="a must be positive"):
        documents.sif_weights({"the": 1}, a=0)


def test_common_component_removal_on_a_known_case():
    X = np.array([[1.0, 0.0, 3.0], [-1.0, 0.0, 3.0]])
    cleaned, u = documents.remove_common_components(X)
    assert np.allclose(np.abs(u), [[0.0, 0.0, 1.0]]), "the shared direction is the third axis"
    assert np.allclose(cleaned, [[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]])
    again, _ = documents.remove_common_components(np.array([[2.0, 5.0, 7.0]]), components=u)
    assert np.allclose(again, [[2.0, 5.0, 0.0]])


def test_sif_end_to_end_on_a_toy_case(toy_vectors):
    counts = {"the": 8, "cat": 1, "dog": 1}
    sif = documents.SIF(toy_vectors, counts, a=0.1)
    X = sif.fit_transform(["the cat", "the dog"])
    # weighted means: (1/2)(1/9 * the + 1/2 * cat) = (0.25, 0, 5/9) and (-0.25, 0, 5/9);
    # the shared component is the "the" axis, and removing it leaves +-0.25 on the first axis
    assert np.allclose(X, [[0.25, 0.0, 0.0], [-0.25, 0.0, 0.0]])
    plain = documents.average_word_vectors(["the cat", "the dog"], toy_vectors)
    assert documents._unit_rows(plain)[0] @ documents._unit_rows(plain)[1] > 0.9, "plain means look alike"
    assert np.allclose(sif.transform(["the dog", "the cat"]), X[::-1]), "transform reuses the fitted component"
    with pytest.raises(ValueError, match="not fitted"):
        documents.SIF(toy_vectors, counts).transform(["the cat"])


# ----------------------------------------------------------------------------- Doc2Vec
@pytest.fixture(scope="module")
def small_models(chatterbot):
    texts = chatterbot[0][:300]
    return texts, {dm: documents.train_doc2vec(texts, dm=dm, vector_size=20, epochs=5) for dm in (True, False)}


@pytest.mark.parametrize("dm", [True, False])
def test_doc2vec_is_deterministic(small_models, dm):
    texts, models = small_models
    again = documents.train_doc2vec(texts, dm=dm, vector_size=20, epochs=5)
    assert np.array_equal(models[dm].dv.vectors, again.dv.vectors)
    other_seed = documents.train_doc2vec(texts, dm=dm, vector_size=20, epochs=5, seed=1)
    assert not np.allclose(models[dm].dv.vectors, other_seed.dv.vectors)
    assert models[dm].dv.vectors.shape == (len(texts), 20)


@pytest.mark.parametrize("dm", [True, False])
def test_infer_vectors_repeats_gensims_steps(small_models, dm, monkeypatch):
    import gensim.models.doc2vec as gensim_doc2vec

    texts, models = small_models
    model = models[dm]
    ours = documents.infer_vectors(model, texts[:3], seed=7)
    assert np.array_equal(ours, documents.infer_vectors(model, texts[:3], seed=7)), "same seed, same vectors"
    assert not np.allclose(ours, documents.infer_vectors(model, texts[:3], seed=8))
    with pytest.raises(ValueError, match="epochs must be at least 1"):
        documents.infer_vectors(model, texts[:1], epochs=0)
    # gensim's own infer_vector from the same start vector and sampler state gives the same answer
    start = (np.random.default_rng(7).random((3, model.dv.vector_size)) - 0.5) / model.dv.vector_size
    for i, words in enumerate(documents.tokenize_all(texts[:3])):
        if i == 0:  # our sampler is reseeded once per call, then shared by the documents in order
            model.random = np.random.RandomState(7)
        monkeypatch.setattr(gensim_doc2vec, "pseudorandom_weak_vector",
                            lambda size, seed_string=None, row=start[i]: row.astype(np.float32))
        reference = model.infer_vector(words)
        assert np.allclose(ours[i], reference, atol=1e-6)


def test_doc2vec_documents_without_known_words_are_zero_rows(small_models):
    texts, models = small_models
    model = models[False]
    inferred = documents.infer_vectors(model, ["", "zzzqqq xxyyzz", texts[0]])
    assert np.all(inferred[:2] == 0) and np.linalg.norm(inferred[2]) > 0
    with pytest.raises(ValueError, match=r"documents \[0, 1\] have no word in the Doc2Vec vocabulary"):
        documents.infer_vectors(model, ["", "zzzqqq xxyyzz", texts[0]], empty="raise")
    trained = documents.doc2vec_vectors(texts[:50] + ["qqqzzz"], dm=False, vector_size=20, epochs=2)
    assert np.all(trained[-1] == 0) and np.all(np.linalg.norm(trained[:-1], axis=1) > 0)


def test_more_inference_epochs_reduce_the_spread(small_models):
    texts, models = small_models
    table = documents.inference_spread(models[False], texts[:20], epochs=(2, 50), runs=3)
    few, many = table.set_index("epochs").loc[2], table.set_index("epochs").loc[50]
    assert many.cosine_between_runs > few.cosine_between_runs
    assert many.spread < few.spread
    assert ((0 <= table.spread) & (table.spread <= 1)).all()


# ----------------------------------------------------------------------------- evaluation
def test_precision_at_k_matches_sklearn_neighbours():
    rng = np.random.default_rng(0)
    X, labels = rng.normal(size=(120, 8)), rng.integers(0, 3, 120)
    neighbours = NearestNeighbors(n_neighbors=6, metric="cosine").fit(X).kneighbors(X, return_distance=False)[:, 1:]
    expected = (labels[neighbours] == labels[:, None]).mean()
    assert documents.precision_at_k(X, labels, k=5) == pytest.approx(expected)
    assert documents.precision_at_k(sparse.csr_matrix(X), labels, k=5) == pytest.approx(expected)


def test_evaluation_separates_good_from_random_embeddings():
    rng = np.random.default_rng(0)
    labels = np.repeat(["a", "b", "c"], 40)
    centres = rng.normal(size=(3, 10)) * 10
    good = centres[np.searchsorted(["a", "b", "c"], labels)] + rng.normal(size=(120, 10))
    noise = rng.normal(size=(120, 10))
    docs = [f"doc {i}" for i in range(120)]
    table = documents.evaluate_embeddings(
        {"good": good, "noise": lambda d: noise, "sparse": sparse.csr_matrix(np.abs(good))}, docs, labels)
    assert list(table.index) == ["good", "noise", "sparse"]
    assert table.loc["good", ["accuracy", "macro_f1", "precision_at_10", "ari"]].min() > 0.99
    assert table.loc["noise", "accuracy"] < 0.6 and table.loc["noise", "ari"] < 0.1
    assert np.isnan(table.loc["good", "embed_s_per_1k"]) and table.loc["noise", "embed_s_per_1k"] >= 0
    assert table.loc["good", "dim"] == 10
    again = documents.evaluate_embeddings({"good": good}, docs, labels)
    assert again.drop(columns="embed_s_per_1k").equals(table.loc[["good"]].drop(columns="embed_s_per_1k"))


def test_evaluation_rejects_bad_input():
    labels = np.repeat([0, 1], 15)
    docs = ["x"] * 30
    with pytest.raises(ValueError, match=r"shape \(n_docs=30, dim\)"):
        documents.evaluate_embeddings({"short": np.ones((29, 4))}, docs, labels)
    with pytest.raises(ValueError, match="NaN"):
        documents.evaluate_embeddings(np.full((30, 2), np.nan), docs, labels)
    with pytest.raises(ValueError, match="29 documents but 30 labels"):
        documents.evaluate_embeddings(np.ones((30, 2)), docs[:29], labels)


def test_labelled_documents_are_clean(chatterbot):
    texts, labels = chatterbot
    assert len(texts) == len(set(texts)) == len(labels)
    _, sizes = np.unique(labels, return_counts=True)
    assert sizes.min() >= 20
    texts, labels = documents.labelled_documents("spam", max_per_class=30)
    assert sorted(set(labels)) == ["easy_ham", "hard_ham", "spam"] and len(texts) == 90
    assert all(t.strip() for t in texts)


def test_pv_dm_averages_in_the_pinned_gensim(small_models, chatterbot):
    # Lesson 06 says so: Word2Vec.__init__ resets cbow_mean to 1 after Doc2Vec set it from dm_mean.
    _, models = small_models
    assert models[True].cbow_mean == 1
    texts = chatterbot[0][:50]
    assert documents.train_doc2vec(texts, dm=True, vector_size=8, epochs=1, dm_mean=0).cbow_mean == 1
    assert documents.train_doc2vec(texts, dm=True, vector_size=8, epochs=1, cbow_mean=0).cbow_mean == 0


# ----------------------------------------------------------------------------- grouped, tuned evaluation
def test_near_duplicate_groups_join_copies_and_equal_keys():
    docs = ["the cat sat on the mat", "The cat sat on the mat!", "a dog barked at night", "stocks fell today",
            "completely different words here"]
    groups = documents.near_duplicate_groups(docs)
    assert groups.tolist() == [0, 0, 1, 2, 3]
    keyed = documents.near_duplicate_groups(docs, keys=["q1", "q2", "q3", "q1", "q5"])
    assert keyed.tolist() == [0, 0, 1, 0, 2]  # 3 joins 0 by its key, and 1 through 0
    with pytest.raises(ValueError, match="keys"):
        documents.near_duplicate_groups(docs, keys=["a"])


def test_precision_at_k_skips_the_query_group():
    X = np.array([[1.0, 0.0], [1.0, 0.01], [0.0, 1.0], [0.1, 1.0], [0.9, 0.2], [0.2, 0.9]])
    labels = np.array([0, 0, 1, 1, 0, 1])
    assert documents.precision_at_k(X, labels, k=1) == 1.0
    # with 0 and 1 (and 2 and 3) in one group, their nearest other is found outside it
    groups = np.array([0, 0, 1, 1, 2, 3])
    expected = np.mean([1, 1, 1, 1, 1, 1])
    assert documents.precision_at_k(X, labels, k=1, groups=groups) == pytest.approx(expected)
    flipped = np.array([1, 1, 0, 0, 0, 1])  # a document's own group no longer rescues it
    assert documents.precision_at_k(X, flipped, k=1, groups=groups) < documents.precision_at_k(X, flipped, k=1)


def test_grouped_nested_evaluation_tunes_on_training_folds_and_reports_baselines():
    rng = np.random.default_rng(0)
    labels = np.repeat(["a", "b", "c"], 40)
    centres = rng.normal(size=(3, 10)) * 3
    X = centres[np.searchsorted(["a", "b", "c"], labels)] + rng.normal(size=(120, 10)) * 3
    docs = [f"doc {i}" for i in range(120)]
    groups = np.arange(120) // 2  # pairs
    table = documents.evaluate_embeddings({"x": X}, docs, labels, groups=groups, Cs=[0.01, 1.0, 100.0],
                                          baselines=True)
    assert list(table.index) == ["x", "majority class", "chance"]
    chosen = table.loc["x", "C"].split()
    assert len(chosen) == 5 and set(chosen) <= {"0.01", "1", "100"}
    assert table.loc["x", "accuracy"] > 0.8 and table.loc["x", "accuracy_std"] >= 0
    assert table.loc["majority class", "accuracy"] == pytest.approx(1 / 3, abs=0.05)
    assert table.loc["chance", "accuracy"] == pytest.approx(1 / 3) and table.loc["chance", "ari"] == 0
    # random neighbours outside a pair: 39 of the 118 other documents share the label... minus the partner
    assert table.loc["chance", "precision_at_10"] == pytest.approx(38 / 118)
    with pytest.raises(ValueError, match="Cs"):
        documents.evaluate_embeddings({"x": X}, docs, labels, Cs=[])
    with pytest.raises(ValueError, match="groups"):
        documents.evaluate_embeddings({"x": X}, docs, labels, groups=groups[:10])
