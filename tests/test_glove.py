"""Tests of embedlab.glove (co-occurrence counts, GloVe loss and training, PPMI-SVD) and embedlab.bias."""

import json
from itertools import combinations

import numpy as np
import pytest
from scipy import sparse

from embedlab import bias, glove
from embedlab.vectors import WordVectors

TEXT = [
    "the cat sat on the mat".split(),
    "the dog sat on the log".split(),
    "a cat and a dog".split(),
    "the quick fox jumps over the lazy dog".split(),
    "cat".split(),
    [],
]


def naive_cooccurrence(sentences, vocab, window, distance_weighting=True):
    """The textbook double loop: drop out-of-vocabulary words, then look `window` words ahead."""
    index = {w: i for i, w in enumerate(vocab)}
    X = np.zeros((len(vocab), len(vocab)))
    for sentence in sentences:
        kept = [index[t] for t in sentence if t in index]
        for i, a in enumerate(kept):
            for k in range(1, window + 1):
                if i + k < len(kept):
                    b = kept[i + k]
                    weight = 1 / k if distance_weighting else 1
                    X[a, b] += weight
                    X[b, a] += weight
    return X


@pytest.mark.parametrize("window, min_count, distance_weighting", [(2, 1, True), (3, 2, True), (10, 1, False)])
def test_cooccurrence_matches_naive_loop(window, min_count, distance_weighting):
    cooc = glove.cooccurrence(TEXT, window=window, min_count=min_count, distance_weighting=distance_weighting)
    expected = naive_cooccurrence(TEXT, cooc.words, window, distance_weighting)
    assert sparse.issparse(cooc.matrix)
    np.testing.assert_allclose(cooc.matrix.toarray(), expected, atol=1e-12)
    np.testing.assert_allclose(cooc.matrix.toarray(), cooc.matrix.toarray().T)


def test_vocabulary_is_sorted_by_count_and_cut():
    cooc = glove.cooccurrence(TEXT, window=2, min_count=2)
    assert cooc.words[0] == "the"
    assert all(c >= 2 for c in cooc.counts)
    assert list(cooc.counts) == sorted(cooc.counts, reverse=True)
    assert "fox" not in cooc.words
    small = glove.cooccurrence(TEXT, window=2, min_count=1, max_vocab=3)
    assert small.words == cooc.words[:3]


def test_rare_words_are_dropped_before_windowing():
    # "x" occurs once: with min_count=2 it is removed, so "a" and "b" become neighbours at distance 1.
    cooc = glove.cooccurrence([["a", "x", "b"], ["a", "b"]], window=1, min_count=2)
    i = cooc.index
    assert cooc.matrix[i["a"], i["b"]] == pytest.approx(2.0)


def test_ids_and_token_lists_agree_on_real_corpus_slice():
    from embedlab import data

    corpus = data.load_corpus("small")
    stop = int(corpus.offsets[200])
    ids, offsets = corpus.ids[:stop], corpus.offsets[:201]
    sentences = [[corpus.words[t] for t in ids[a:b]] for a, b in zip(offsets[:-1], offsets[1:])]
    vocab = corpus.words[:300]
    expected = naive_cooccurrence(sentences, vocab, window=4)
    got = glove.cooccurrence_from_ids(ids, offsets, 300, window=4).toarray()
    np.testing.assert_allclose(got, expected, atol=1e-9)


def small_problem(seed=0, n=6, dim=4, cells=20):
    rng = np.random.default_rng(seed)
    params = glove.init_params(n, dim, seed=seed, dtype=np.float64)
    for a in params.arrays():  # larger than glove.c's start, so every term matters
        a[...] = rng.normal(scale=0.5, size=a.shape)
    rows, cols = rng.integers(0, n, cells), rng.integers(0, n, cells)  # repeats on purpose
    x = rng.uniform(0.2, 150.0, cells)  # both sides of x_max = 100
    return params, rows, cols, x


def test_loss_is_the_weighted_least_squares_formula():
    params, rows, cols, x = small_problem()
    loss, _ = glove.loss_and_grads(params, rows, cols, x)
    expected = 0.0
    for r, c, v in zip(rows, cols, x):
        f = min(1.0, (v / 100.0) ** 0.75)
        expected += f * (params.W[r] @ params.Wc[c] + params.b[r] + params.bc[c] - np.log(v)) ** 2
    assert loss == pytest.approx(expected, rel=1e-12)


def test_weighting_function():
    f = glove.weighting(np.array([0.0, 50.0, 100.0, 1000.0]), x_max=100.0, alpha=0.75)
    np.testing.assert_allclose(f, [0.0, 0.5**0.75, 1.0, 1.0])


def test_gradient_matches_finite_differences():
    params, rows, cols, x = small_problem(seed=1)
    _, grads = glove.loss_and_grads(params, rows, cols, x)
    eps = 1e-6
    for name, (array, grad) in zip("W Wc b bc".split(), zip(params.arrays(), grads.arrays())):
        numeric = np.zeros_like(array)
        for i in np.ndindex(array.shape):
            keep = array[i]
            array[i] = keep + eps
            plus, _ = glove.loss_and_grads(params, rows, cols, x)
            array[i] = keep - eps
            minus, _ = glove.loss_and_grads(params, rows, cols, x)
            array[i] = keep
            numeric[i] = (plus - minus) / (2 * eps)
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-6, err_msg=f"gradient of {name}")


def test_training_lowers_the_loss_and_is_deterministic():
    cooc = glove.cooccurrence(TEXT * 3, window=3, min_count=1)
    config = glove.GloVeConfig(dim=8, epochs=30, batch_size=16, seed=3)
    first = glove.train(cooc, config, progress=False)
    second = glove.train(cooc, config, progress=False)
    other = glove.train(cooc, glove.GloVeConfig(dim=8, epochs=30, batch_size=16, seed=4), progress=False)
    assert first.losses[-1] < 0.2 * first.losses[0]
    np.testing.assert_array_equal(first.vectors, second.vectors)
    assert first.losses == second.losses
    assert not np.allclose(first.vectors, other.vectors)
    np.testing.assert_allclose(first.vectors, first.params.W + first.params.Wc)
    assert first.word_vectors().words == cooc.words


def test_batch_loss_equals_full_loss_at_start():
    # the first epoch's loss is measured on pre-update parameters; with one batch it is J/nnz exactly
    cooc = glove.cooccurrence(TEXT, window=2, min_count=1)
    config = glove.GloVeConfig(dim=5, epochs=1, batch_size=10_000, seed=0)
    start = glove.init_params(len(cooc), 5, seed=0)
    coo = cooc.matrix.tocoo()
    expected, _ = glove.loss_and_grads(start, coo.row, coo.col, coo.data.astype(np.float32), config.x_max, config.alpha)
    model = glove.train(cooc, config, progress=False)
    assert model.losses[0] == pytest.approx(expected / coo.nnz, rel=1e-5)


def test_ppmi_matches_dense_formula():
    X = glove.cooccurrence(TEXT, window=3, min_count=1).matrix
    D = X.toarray()
    context = D.sum(0) ** 0.75
    with np.errstate(divide="ignore"):
        pmi = np.log(D / D.sum()) - np.log(D.sum(1) / D.sum())[:, None] - np.log(context / context.sum())[None, :]
    expected = np.where(D > 0, np.maximum(pmi, 0), 0)
    np.testing.assert_allclose(glove.ppmi(X).toarray(), expected, atol=1e-12)


def test_svd_vectors_match_numpy_svd():
    M = sparse.random(40, 40, density=0.3, random_state=1) + sparse.eye(40)
    vectors = glove.svd_vectors(M, dim=5, eigenvalue_weight=0.5)
    U, S, _ = np.linalg.svd(M.toarray())
    expected = U[:, :5] * np.sqrt(S[:5])
    # singular vectors are defined up to sign: compare the Gram matrices, then each column up to sign
    np.testing.assert_allclose(vectors @ vectors.T, expected @ expected.T, atol=1e-4)
    again = glove.svd_vectors(M, dim=5, eigenvalue_weight=0.5)
    np.testing.assert_array_equal(vectors, again)


def test_saved_result_round_trip_and_checksum(tmp_path):
    words = ["a", "b", "c"]
    vectors = np.arange(6, dtype=np.float32).reshape(3, 2)
    digests = {name: glove.save_vectors(tmp_path / name, words, vectors)
               for name in ("glove_vectors.npz", "ppmi_svd_vectors.npz")}
    (tmp_path / "run.json").write_text(json.dumps({"sha256": digests, "losses": [1.0], "command": "cmd"}))
    result = glove.load_result(tmp_path)
    np.testing.assert_array_equal(result["glove"].vectors, vectors)
    assert result["ppmi_svd"].words == words
    glove.save_vectors(tmp_path / "glove_vectors.npz", words, vectors + 1)
    with pytest.raises(ValueError, match="sha256"):
        glove.load_result(tmp_path)
    with pytest.raises(FileNotFoundError, match="python -m embedlab.glove"):
        glove.load_result(tmp_path / "missing")


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: glove.cooccurrence(TEXT, window=0), ValueError, "window must be a positive integer"),
        (lambda: glove.cooccurrence(TEXT, min_count=0), ValueError, "min_count"),
        (lambda: glove.cooccurrence(TEXT, min_count=100), ValueError, "no word occurs 100 times"),
        (lambda: glove.cooccurrence("the cat sat"), TypeError, "lists of tokens"),
        (lambda: glove.cooccurrence_from_ids([0, 1], [0, 3], 2), ValueError, "offsets"),
        (lambda: glove.train(np.eye(3)), TypeError, "Cooccurrences"),
        (lambda: glove.GloVeConfig(dim=0), ValueError, "dim must be a positive integer"),
        (lambda: glove.GloVeConfig(learning_rate=-1.0), ValueError, "learning_rate must be positive"),
        (lambda: glove.loss_and_grads(glove.init_params(3, 2), [0], [1], [0.0]), ValueError, "positive"),
        (lambda: glove.loss_and_grads(glove.init_params(3, 2), [0, 1], [1], [1.0]), ValueError, "one length"),
        (lambda: glove.ppmi(np.ones((2, 3))), ValueError, "square"),
        (lambda: glove.ppmi(np.zeros((2, 2))), ValueError, "all zeros"),
        (lambda: glove.svd_vectors(np.eye(4), dim=4), ValueError, "dim must be between"),
    ],
)
def test_bad_inputs_give_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --------------------------------------------------------------------------- bias


def planted_vectors(seed=0, noise=0.3):
    """Random words plus female/male pairs and 'occupations' that differ along a planted axis 0."""
    rng = np.random.default_rng(seed)
    dim = 20
    axis = np.eye(dim)[0]
    words, vectors = [], []
    for a, b in bias.DEFINITIONAL_PAIRS:
        base = rng.normal(size=dim)
        base[0] = 0
        words += [a, b]
        vectors += [base + 2 * axis + noise * rng.normal(size=dim), base - 2 * axis + noise * rng.normal(size=dim)]
    for i in range(40):
        words.append(f"job{i}")
        v = rng.normal(size=dim)
        v[0] = 1.5 if i < 20 else -1.5  # the first 20 lean female
        vectors.append(v)
    return WordVectors(words, np.array(vectors)), axis


def test_gender_direction_recovers_the_planted_axis_and_points_to_she():
    wv, axis = planted_vectors()
    direction = bias.gender_direction(wv)
    assert abs(np.linalg.norm(direction) - 1) < 1e-9
    assert direction @ axis > 0.95
    components, explained = bias.definitional_pca(wv)
    assert explained[0] > 0.5 and np.all(np.diff(explained) <= 1e-12)
    assert bias.projections(wv, ["she"], direction)[0] > 0 > bias.projections(wv, ["he"], direction)[0]


def test_weat_effect_size_and_p_value():
    wv, axis = planted_vectors()
    female_jobs, male_jobs = [f"job{i}" for i in range(4)], [f"job{i}" for i in range(20, 24)]
    A, B = ["she", "her", "woman", "girl"], ["he", "his", "man", "boy"]
    result = bias.weat(wv, female_jobs, male_jobs, A, B, n_permutations=20_000)
    # effect size from the definition, with a direct loop
    def s(w):
        return (np.mean([wv.similarity(w, a) for a in A]) - np.mean([wv.similarity(w, b) for b in B]))
    sx, sy = [s(w) for w in female_jobs], [s(w) for w in male_jobs]
    assert result.effect_size == pytest.approx((np.mean(sx) - np.mean(sy)) / np.std(sx + sy, ddof=1), rel=1e-6)
    assert result.statistic == pytest.approx(sum(sx) - sum(sy), rel=1e-6)
    # exact p-value over all C(8, 4) = 70 splits: the observed split is the most extreme one
    pooled = sx + sy
    exact = np.mean([sum(pooled[i] for i in split) - sum(pooled[i] for i in range(8) if i not in split)
                     >= result.statistic - 1e-12 for split in combinations(range(8), 4)])
    assert result.p_value == pytest.approx(exact, abs=0.005)
    null = bias.weat(wv, female_jobs[:2] + male_jobs[:2], female_jobs[2:] + male_jobs[2:], A, B, n_permutations=2000)
    assert null.p_value > 0.05


def test_neutralize_removes_the_direction_only_where_asked():
    wv, _ = planted_vectors()
    direction = bias.gender_direction(wv)
    jobs = [f"job{i}" for i in range(40)]
    debiased = bias.neutralize(wv, direction, words=jobs)
    np.testing.assert_allclose(bias.projections(debiased, jobs, direction), 0, atol=1e-6)
    np.testing.assert_allclose(bias.projections(debiased, ["she", "he"], direction),
                               bias.projections(wv, ["she", "he"], direction), atol=1e-6)


def test_recoverability_after_neutralising():
    wv, axis = planted_vectors()
    jobs = [f"job{i}" for i in range(40)]
    # bias only along the axis: neutralising erases it, neither clusters nor a classifier find it
    clean = bias.recoverability(wv, bias.neutralize(wv, axis, words=jobs), axis, n=20, candidates=jobs)
    assert clean["kmeans"] < 0.8 and clean["classifier"] < 0.8
    # bias also hidden in a second dimension (like neighbours that stay gendered): still recoverable
    vectors = wv.vectors.copy()
    vectors[[wv.index[j] for j in jobs], 1] = np.where(np.arange(40) < 20, 3.0, -3.0)
    hidden = WordVectors(wv.words, vectors)
    found = bias.recoverability(hidden, bias.neutralize(hidden, axis, words=jobs), axis, n=20, candidates=jobs)
    assert found == {"kmeans": 1.0, "classifier": 1.0}


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda wv: bias.gender_direction(wv, pairs=[("she", "he")]), ValueError, "at least two pairs"),
        (lambda wv: bias.projections(wv, ["nobody"], np.ones(20)), KeyError, "not in the vocabulary"),
        (lambda wv: bias.projections(wv, ["she"], np.ones(3)), ValueError, "shape"),
        (lambda wv: bias.projections(wv, ["she"], np.zeros(20)), ValueError, "zero vector"),
        (lambda wv: bias.weat(wv, ["job1"], ["job2", "job3"], ["she", "her"], ["he", "his"]), ValueError,
         "at least two words"),
        (lambda wv: bias.recoverability(wv, wv, np.eye(20)[0], n=100), ValueError, "candidate words"),
    ],
)
def test_bias_bad_inputs(call, error, message):
    wv, _ = planted_vectors()
    with pytest.raises(error, match=message):
        call(wv)


def test_context_counts_are_rows_of_the_matrix():
    from embedlab import data

    corpus = data.load_corpus("small")
    rows = glove.context_counts(corpus, ["water", "the"], window=5, vocab_size=2000)
    matrix = glove.cooccurrence(corpus, window=5, max_vocab=2000, min_count=1).matrix
    index = corpus.word_to_id
    np.testing.assert_allclose(rows, matrix[[index["water"], index["the"]]].toarray(), atol=1e-9)
    with pytest.raises(KeyError, match="not among"):
        glove.context_counts(corpus, ["zzzznotaword"])


def test_context_counts_of_some_sentences_add_up():
    from embedlab import data

    corpus = data.load_corpus("small")
    first = np.arange(len(corpus)) < len(corpus) // 3
    both = glove.context_counts(corpus, ["water"], window=5)
    part = glove.context_counts(corpus, ["water"], window=5, sentences=first)
    rest = glove.context_counts(corpus, ["water"], window=5, sentences=~first)
    np.testing.assert_allclose(part + rest, both, atol=1e-9)  # windows never cross sentences
    assert 0 < part.sum() < both.sum()
    with pytest.raises(ValueError, match="boolean mask"):
        glove.context_counts(corpus, ["water"], sentences=np.ones(3, dtype=bool))


def test_neutral_words_leave_out_gendered_words_and_names():
    words = ["the", "she", "mothers", "actress", "anna", "john", "nurse", "2c", "engineer", "salary"]
    wv = WordVectors(words, np.random.default_rng(0).normal(size=(len(words), 4)))
    assert bias.neutral_words(wv) == ["the", "nurse", "engineer", "salary"]
    assert bias.neutral_words(wv, n=7, exclude=["the"]) == ["nurse"]
    for pair in bias.DEFINITIONAL_PAIRS:
        assert set(pair) <= bias.GENDER_SPECIFIC | bias.FIRST_NAMES
    assert not {"nurse", "doctor", "engineer", "home", "career", "family"} & (bias.GENDER_SPECIFIC | bias.FIRST_NAMES)
