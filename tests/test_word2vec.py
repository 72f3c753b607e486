"""Tests of embedlab.word2vec: gradients, sampling distributions, learning, determinism, errors."""

from __future__ import annotations

import numpy as np
import pytest

from embedlab import word2vec as w2v

# ------------------------------------------------------------------ tiny corpora


def planted_corpus(n_sentences: int = 1500, seed: int = 0) -> list[list[str]]:
    """Animals occur with animal verbs, vehicles with vehicle verbs, filler everywhere.

    Words of one group share their contexts, so word2vec must put them next to each other.
    """
    rng = np.random.default_rng(seed)
    groups = {
        ("cat", "dog", "cow", "horse"): ("eats", "sleeps", "runs", "barks"),
        ("car", "bus", "truck", "train"): ("drives", "parks", "stops", "honks"),
    }
    filler = ("the", "a", "then", "and")
    sentences = []
    for _ in range(n_sentences):
        nouns, verbs = list(groups.items())[rng.integers(2)]
        sentence = []
        for _ in range(3):
            sentence += [rng.choice(filler), rng.choice(nouns), rng.choice(verbs)]
        sentences.append([str(w) for w in sentence])
    return sentences


ANIMALS = {"cat", "dog", "cow", "horse"}
VEHICLES = {"car", "bus", "truck", "train"}
# Small minibatches for the numpy engine: with 16 words, a batch of 256 centres repeats each
# row ~100 times and the summed updates overshoot (the notebook's pitfall section shows it).
SMALL = dict(dim=16, window=3, negative=5, min_count=1, sample=0.0, epochs=5, batch_size=32, progress=False)


# ------------------------------------------------------------------ vocabulary


def test_build_vocab_sorts_by_count_and_drops_rare_words():
    sentences = [["b", "a", "rare", "a"], ["c", "a", "b"], ["c", "c"]]
    corpus = w2v.build_vocab(sentences, min_count=2)
    assert corpus.vocab.words == ["a", "c", "b"]
    assert corpus.vocab.counts.tolist() == [3, 3, 2]
    bounds = zip(corpus.offsets[:-1], corpus.offsets[1:])
    decoded = [[corpus.vocab.words[i] for i in corpus.ids[a:b]] for a, b in bounds]
    assert decoded == [["b", "a", "a"], ["c", "a", "b"], ["c", "c"]]  # "rare" removed, windows reach over it


def test_build_vocab_accepts_an_integer_corpus_like_embedlab_data():
    class IntCorpus:  # the shape of embedlab.data.Corpus
        words = ["x", "y", "z"]
        ids = np.array([0, 1, 0, 2, 0, 1], dtype=np.int32)
        offsets = np.array([0, 2, 6])

    from_ints = w2v.build_vocab(IntCorpus(), min_count=2)
    from_tokens = w2v.build_vocab([["x", "y"], ["x", "z", "x", "y"]], min_count=2)
    assert from_ints.vocab.words == from_tokens.vocab.words == ["x", "y"]
    assert np.array_equal(from_ints.ids, from_tokens.ids)
    assert np.array_equal(from_ints.offsets, from_tokens.offsets)


def test_vocabulary_matches_gensim():
    from gensim.models import Word2Vec as GensimWord2Vec

    sentences = planted_corpus(300)
    ours = w2v.build_vocab(sentences, min_count=5)
    theirs = GensimWord2Vec(min_count=5, sample=1e-3)
    theirs.build_vocab(sentences)
    assert sorted(ours.vocab.words) == sorted(theirs.wv.index_to_key)
    assert {w: int(c) for w, c in zip(ours.vocab.words, ours.vocab.counts)} == {
        w: theirs.wv.get_vecattr(w, "count") for w in theirs.wv.index_to_key
    }


# ------------------------------------------------------------------ noise and subsampling


def test_noise_distribution_is_unigram_to_the_three_quarters():
    counts = np.array([1000, 100, 10, 1])
    p = w2v.noise_distribution(counts)
    assert np.isclose(p.sum(), 1)
    assert np.allclose(p[0] / p[1], 10**0.75) and np.allclose(p[2] / p[3], 10**0.75)


def test_noise_distribution_matches_gensim_cum_table():
    from gensim.models import Word2Vec as GensimWord2Vec

    sentences = planted_corpus(300)
    theirs = GensimWord2Vec(min_count=1)
    theirs.build_vocab(sentences)
    ours = w2v.noise_distribution([theirs.wv.get_vecattr(w, "count") for w in theirs.wv.index_to_key])
    gensim_p = np.diff(theirs.cum_table, prepend=0) / theirs.cum_table[-1]
    assert np.abs(ours - gensim_p).max() < 1e-8


def test_alias_table_reproduces_the_distribution_exactly():
    p = w2v.noise_distribution(np.random.default_rng(0).integers(1, 10_000, 500))
    accept, alias = w2v.alias_table(p)
    # Slot i gives i with prob accept[i], alias[i] otherwise; each slot has prob 1/n.
    implied = accept.copy()
    np.add.at(implied, alias, 1 - accept)
    assert np.allclose(implied / len(p), p, atol=1e-12)


def test_negative_samples_follow_the_noise_distribution():
    p = w2v.noise_distribution([5000, 800, 120, 30, 5])
    draws = w2v.sample_negatives(np.cumsum(p), 200_000, np.random.default_rng(1))
    freq = np.bincount(draws, minlength=len(p)) / len(draws)
    assert np.abs(freq - p).max() < 0.005


def test_keep_probabilities_match_gensim():
    from gensim.models import Word2Vec as GensimWord2Vec

    sentences = planted_corpus(300)
    theirs = GensimWord2Vec(min_count=1, sample=1e-2)
    theirs.build_vocab(sentences)
    words = theirs.wv.index_to_key
    counts = [theirs.wv.get_vecattr(w, "count") for w in words]
    gensim_keep = np.array([theirs.wv.get_vecattr(w, "sample_int") for w in words]) / 2**32
    assert np.abs(w2v.keep_probabilities(counts, 1e-2) - gensim_keep).max() < 1e-6
    assert np.all(w2v.keep_probabilities(counts, 0.0) == 1)


def test_subsampling_keeps_the_documented_fraction():
    corpus = w2v.build_vocab(planted_corpus(2000), min_count=1)
    keep = w2v.keep_probabilities(corpus.vocab.counts, 1e-2)
    assert keep.min() < 0.5  # the filler words are frequent enough to be thinned
    mask = np.mean([w2v.subsample(corpus.ids, keep, np.random.default_rng(s)) for s in range(20)], axis=0)
    kept_fraction = np.bincount(corpus.ids, weights=mask) / np.bincount(corpus.ids)
    assert np.abs(kept_fraction - keep).max() < 0.02
    # The compiled engine subsamples with its own generator: same expected count of words.
    model = w2v.train(corpus, **{**SMALL, "sample": 1e-2, "epochs": 4})
    expected = 4 * (corpus.vocab.counts * keep).sum()
    assert abs(model.effective_words / expected - 1) < 0.02


def test_dynamic_window_uses_near_words_more_often():
    window, n = 4, 20_000
    stream, sentence = np.arange(n), np.zeros(n, dtype=np.int32)
    reduced = np.random.default_rng(0).integers(1, window + 1, n)
    centres, contexts = w2v.skipgram_pairs(stream, sentence, reduced, np.arange(window, n - window), window)
    distance_share = np.bincount(np.abs(contexts - centres), minlength=window + 1)[1:] / (2 * (n - 2 * window))
    assert np.allclose(distance_share, [(window - d + 1) / window for d in range(1, window + 1)], atol=0.02)


def test_pairs_never_cross_sentences():
    stream = np.arange(10)
    sentence = np.array([0] * 5 + [1] * 5)
    reduced = np.full(10, 5)
    centres, contexts = w2v.skipgram_pairs(stream, sentence, reduced, np.arange(10), 5)
    assert np.all(sentence[centres] == sentence[contexts]) and len(centres) == 2 * 5 * 4
    windows = w2v.cbow_contexts(stream, sentence, reduced, np.arange(10), 5)
    assert windows.shape == (10, 10)
    assert all(set(row[row >= 0]) == set(range(5 * (i // 5), 5 * (i // 5) + 5)) - {i} for i, row in enumerate(windows))


# ------------------------------------------------------------------ loss and gradients


def test_sgns_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    h, u_pos, u_neg = rng.normal(size=7), rng.normal(size=7), rng.normal(size=(5, 7))
    loss, grad_h, grad_pos, grad_neg = w2v.sgns_loss_and_grads(h, u_pos, u_neg)
    eps = 1e-6

    def numeric(arg):
        args = [h, u_pos, u_neg]
        grad = np.zeros_like(args[arg])
        for i in np.ndindex(grad.shape):
            plus = [a.copy() for a in args]
            minus = [a.copy() for a in args]
            plus[arg][i] += eps
            minus[arg][i] -= eps
            grad[i] = (w2v.sgns_loss_and_grads(*plus)[0] - w2v.sgns_loss_and_grads(*minus)[0]) / (2 * eps)
        return grad

    for arg, analytic in enumerate([grad_h, grad_pos, grad_neg]):
        assert np.abs(numeric(arg) - analytic).max() < 1e-6
    sigmoid = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    assert np.isclose(loss, -np.log(sigmoid(h @ u_pos)) - np.log(sigmoid(-u_neg @ h)).sum())


def test_minibatch_update_is_a_gradient_step():
    rng = np.random.default_rng(1)
    W_in, W_out = rng.normal(size=(6, 4)).astype(np.float32), rng.normal(size=(6, 4)).astype(np.float32)
    before_in, before_out = W_in.copy(), W_out.copy()
    loss = w2v.sgns_update(W_in, W_out, np.array([0]), np.array([1]), np.array([[2, 3, 4]]), lr=0.1)
    ref_loss, g_h, g_pos, g_neg = w2v.sgns_loss_and_grads(before_in[0], before_out[1], before_out[[2, 3, 4]])
    assert np.isclose(loss, ref_loss, rtol=1e-5)
    assert np.allclose(W_in[0] - before_in[0], -0.1 * g_h, atol=1e-6)
    assert np.allclose(W_out[1] - before_out[1], -0.1 * g_pos, atol=1e-6)
    assert np.allclose(W_out[[2, 3, 4]] - before_out[[2, 3, 4]], -0.1 * g_neg, atol=1e-6)
    assert np.array_equal(W_in[1:], before_in[1:]) and np.array_equal(W_out[[0, 5]], before_out[[0, 5]])


def test_cbow_update_steps_on_the_mean_of_the_context():
    rng = np.random.default_rng(2)
    W_in, W_out = rng.normal(size=(6, 4)).astype(np.float32), rng.normal(size=(6, 4)).astype(np.float32)
    before_in, before_out = W_in.copy(), W_out.copy()
    context = np.array([[1, 2, -1, 3]])  # -1: empty slot (window cut by the sentence end)
    w2v.cbow_update(W_in, W_out, context, np.array([0]), np.array([[4, 5]]), lr=0.1)
    h = before_in[[1, 2, 3]].mean(0)
    _, g_h, g_pos, g_neg = w2v.sgns_loss_and_grads(h, before_out[0], before_out[[4, 5]])
    assert np.allclose(W_out[0] - before_out[0], -0.1 * g_pos, atol=1e-6)
    assert np.allclose(W_out[[4, 5]] - before_out[[4, 5]], -0.1 * g_neg, atol=1e-6)
    # word2vec.c convention: each context word gets the full gradient of the mean.
    assert np.allclose(W_in[[1, 2, 3]] - before_in[[1, 2, 3]], -0.1 * g_h, atol=1e-6)


def test_scatter_add_sums_repeated_rows_like_np_add_at():
    rng = np.random.default_rng(3)
    rows = rng.integers(0, 5, 50)
    updates = rng.normal(size=(50, 3)).astype(np.float32)
    ours, reference = np.zeros((5, 3), np.float32), np.zeros((5, 3), np.float32)
    w2v.scatter_add(ours, rows, updates)
    np.add.at(reference, rows, updates)
    assert np.allclose(ours, reference, atol=1e-5)


def test_compiled_per_pair_update_equals_the_numpy_update():
    rng = np.random.default_rng(4)
    W_in = rng.normal(scale=0.3, size=(30, 8)).astype(np.float32)
    W_out = rng.normal(scale=0.3, size=(30, 8)).astype(np.float32)
    centres = rng.integers(0, 30, 40).astype(np.int32)
    # Distinct words per pair: with a repeated noise word the sequential update scores the
    # second copy with the already-updated row, the minibatch one with the old row.
    targets = np.array([rng.permutation(30)[:6] for _ in range(40)], dtype=np.int32)
    targets[0, 3] = targets[0, 0]  # a noise word equal to the true word is skipped by both
    fast_in, fast_out = W_in.copy(), W_out.copy()
    fast_loss = w2v.sgns_update_compiled(fast_in, fast_out, centres, targets, 0.05)
    slow_loss = sum(
        w2v.sgns_update(W_in, W_out, centres[[p]], targets[[p], 0], targets[[p], 1:], 0.05) for p in range(40)
    )
    assert np.abs(fast_in - W_in).max() < 1e-5 and np.abs(fast_out - W_out).max() < 1e-5
    assert np.isclose(fast_loss, slow_loss, rtol=1e-5)


# ------------------------------------------------------------------ training


@pytest.mark.parametrize("engine", ["numba", "numpy"])
@pytest.mark.parametrize("sg", [True, False])
def test_learns_the_planted_structure(engine, sg):
    model = w2v.train(planted_corpus(800), engine=engine, sg=sg, **SMALL)
    wv = model.word_vectors()
    for group in (ANIMALS, VEHICLES):
        for word in group:
            nearest = {w for w, _ in wv.most_similar(word, k=3)}
            assert nearest == group - {word}, f"{engine} sg={sg}: neighbours of {word} are {nearest}"
    first, last = model.loss_curve[0][1], model.loss_curve[-1][1]
    assert last < first, f"the loss did not go down: {first:.3f} -> {last:.3f}"


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_a_fixed_seed_gives_identical_vectors(engine):
    corpus = planted_corpus(300)
    settings = {**SMALL, "engine": engine, "sample": 1e-2, "epochs": 2}
    a = w2v.train(corpus, seed=7, **settings)
    b = w2v.train(corpus, seed=7, **settings)
    c = w2v.train(corpus, seed=8, **settings)
    assert np.array_equal(a.input_vectors, b.input_vectors)
    assert not np.array_equal(a.input_vectors, c.input_vectors)


def test_learning_rate_decays_linearly_to_min_alpha():
    rates = [w2v.learning_rate(0.025, 1e-4, p) for p in (0.0, 0.5, 1.0, 1.2)]
    assert np.allclose(rates, [0.025, (0.025 + 1e-4) / 2, 1e-4, 1e-4])


def test_save_and_load_round_trip(tmp_path):
    model = w2v.train(planted_corpus(300), **SMALL)
    wv = model.word_vectors()
    digest = w2v.save_vectors(tmp_path / "v.npz", wv.words, wv.vectors)
    assert len(digest) == 64
    loaded = w2v.load_vectors(tmp_path / "v.npz")
    assert loaded.words == wv.words
    assert np.abs(loaded.vectors - wv.vectors).max() < 1e-2 * np.abs(wv.vectors).max()  # float16
    with pytest.raises(FileNotFoundError, match="python -m embedlab.word2vec"):
        w2v.load_vectors(tmp_path / "missing.npz")


# ------------------------------------------------------------------ bad inputs


def test_empty_corpus_is_an_error():
    with pytest.raises(ValueError, match="empty"):
        w2v.build_vocab([])
    with pytest.raises(ValueError, match="empty"):
        w2v.train([[], []], progress=False)


def test_min_count_that_removes_every_word_is_an_error():
    with pytest.raises(ValueError, match="min_count=50 removes every word.*3 times"):
        w2v.build_vocab([["a", "b", "a", "a"]], min_count=50)


def test_out_of_vocabulary_query_is_a_clear_key_error():
    model = w2v.train(planted_corpus(300), **SMALL)
    with pytest.raises(KeyError, match="'zebra' is not in the vocabulary"):
        model.word_vectors().most_similar("zebra")
    with pytest.raises(KeyError, match="'zebra' is not in the vocabulary.*min_count"):
        model.vocab.id("zebra")


def test_bad_settings_and_corpus_shapes_are_errors():
    with pytest.raises(ValueError, match="dim must be positive"):
        w2v.Word2VecConfig(dim=0)
    with pytest.raises(ValueError, match="engine must be"):
        w2v.Word2VecConfig(engine="torch")
    with pytest.raises(ValueError, match="min_count must be at least 1"):
        w2v.build_vocab([["a"]], min_count=0)
    with pytest.raises(TypeError, match="list of tokens"):
        w2v.build_vocab(["a sentence as one string"])
