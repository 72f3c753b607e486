"""Tests of embedlab.fasttext: n-grams and hashes against gensim, gradients, OOV look-ups, determinism."""

import numpy as np
import pytest
from gensim.models import fasttext as gensim_fasttext

from embedlab import evaluate
from embedlab import fasttext as ft
from embedlab import word2vec as w2v

# ASCII, accents, a ligature-like sharp s, CJK, an emoji (4 UTF-8 bytes), very short words.
WORDS = ["where", "embedding", "embeddding", "a", "of", "héllo", "naïve", "café", "straße",
         "日本語", "東京タワー", "😀ok", "don't", "x-ray", "supercalifragilistic"]


@pytest.mark.parametrize("min_n,max_n", [(3, 6), (2, 4), (1, 1)])
def test_ngrams_match_gensim(min_n, max_n):
    for word in WORDS:
        ours = ft.char_ngrams(word, min_n, max_n)
        assert ours == [b.decode() for b in gensim_fasttext.compute_ngrams_bytes(word, min_n, max_n)], word
        if min_n > 1:  # for n = 1 gensim's str helper keeps the lone markers, its hashing one does not
            assert sorted(ours) == sorted(gensim_fasttext.compute_ngrams(word, min_n, max_n)), word


def test_where_has_the_papers_ngrams():
    assert set(ft.char_ngrams("where", 3, 3)) == {"<wh", "whe", "her", "ere", "re>"}
    assert "<where>" in ft.char_ngrams("where", 3, 7)


def test_hashes_match_gensim_including_non_ascii():
    for word in WORDS:
        for gram in ft.char_ngrams(word):
            assert ft.fnv1a_hash(gram) == gensim_fasttext.ft_hash_bytes(gram.encode("utf-8")), gram
        for bucket in (2_000_000, 1000, 7):
            assert ft.ngram_buckets(word, 3, 6, bucket) == list(gensim_fasttext.ft_ngram_hashes(word, 3, 6, bucket))


def test_fnv1a_of_empty_string_is_the_offset_basis():
    assert ft.fnv1a_hash("") == 2166136261  # FNV-1a's definition, independent of our code


def test_bad_ngram_arguments():
    with pytest.raises(ValueError, match="min_n"):
        ft.char_ngrams("word", 4, 3)
    with pytest.raises(TypeError, match="str"):
        ft.char_ngrams(b"word")
    with pytest.raises(ValueError, match="bucket"):
        ft.ngram_buckets("word", bucket=0)


def test_collision_stats_count_shared_rows():
    stats = ft.collision_stats(WORDS, bucket=1)
    assert stats["rows_used"] == 1 and stats["share"] == 1.0
    big = ft.collision_stats(WORDS, bucket=2**32)  # hash mod 2^32 = hash: FNV-1a has no collisions here
    assert big["ngrams_sharing_a_row"] == 0 and big["rows_used"] == big["ngrams"]


def test_subword_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    rows, u_pos, u_neg = rng.normal(size=(4, 6)), rng.normal(size=6), rng.normal(size=(3, 6))
    loss, grad_rows, grad_pos, grad_neg = ft.subword_loss_and_grads(rows, u_pos, u_neg)
    eps = 1e-6
    for name, x, grad in (("rows", rows, grad_rows), ("u_pos", u_pos, grad_pos), ("u_neg", u_neg, grad_neg)):
        numeric = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            plus, minus = x.copy(), x.copy()
            plus[i] += eps
            minus[i] -= eps
            args = {"rows": rows, "u_pos": u_pos, "u_neg": u_neg}
            loss_plus = ft.subword_loss_and_grads(**{**args, name: plus})[0]
            loss_minus = ft.subword_loss_and_grads(**{**args, name: minus})[0]
            numeric[i] = (loss_plus - loss_minus) / (2 * eps)
        np.testing.assert_allclose(grad, numeric, atol=1e-6, err_msg=name)


# ------------------------------------------------------------------ training on a toy corpus


def _toy_corpus(n_sentences=300, seed=0):
    """Two topics whose words share stems, so n-grams carry the topic."""
    rng = np.random.default_rng(seed)
    topics = [["walk", "walking", "walked", "walker", "walks"], ["sing", "singing", "sang", "singer", "sings"]]
    fillers = ["the", "a", "and", "then"]
    return [[*rng.choice(topics[s % 2], 6), *rng.choice(fillers, 2)] for s in range(n_sentences)]


@pytest.fixture(scope="module")
def model():
    return ft.train(_toy_corpus(), ft.FastTextConfig(dim=16, epochs=5, min_count=1, bucket=5000, sample=0),
                    progress=False)


def test_oov_lookup_never_raises(model):
    for word in WORDS + ["walkinggg", "zzzz", " ", "\x00", "🙂", "a" * 500]:
        v = model.vector(word)
        assert v.shape == (16,) and np.isfinite(v).all(), word
        assert len(model.most_similar(word, k=3)) == 3


def test_empty_string_is_a_clear_error(model):
    with pytest.raises(ValueError, match="empty string"):
        model.vector("")
    with pytest.raises(TypeError, match="str"):
        model.vector(None)


def test_vectors_follow_gensims_mean_convention(model):
    i = model.vocab.index["walking"]
    rows = [i] + [len(model.vocab) + b for b in ft.ngram_buckets("walking", 3, 6, 5000)]
    np.testing.assert_allclose(model.vector("walking"), model.input_vectors[rows].mean(0), rtol=1e-6)
    np.testing.assert_allclose(model.word_vectors()["walking"], model.vector("walking"), rtol=1e-5)
    oov_rows = len(model.vocab) + np.array(ft.ngram_buckets("walkinggg", 3, 6, 5000))
    np.testing.assert_allclose(model.vector("walkinggg"), model.input_vectors[oov_rows].mean(0), rtol=1e-6)


def test_oov_misspelling_lands_near_its_word(model):
    neighbours = [w for w, _ in model.most_similar("walkinng", k=3)]
    assert set(neighbours) <= {"walk", "walking", "walked", "walker", "walks"}, neighbours


def test_ngram_contributions_add_up_to_the_cosine(model):
    for word, neighbour in (("walkinng", "walking"), ("singer", "sings")):
        shares = model.ngram_contributions(word, neighbour)
        wv = model.word_vectors()
        cosine = float(model.vector(word) @ wv.unit_vectors[wv.index[neighbour]] / np.linalg.norm(model.vector(word)))
        assert sum(s for _, s in shares) == pytest.approx(cosine, abs=1e-5)


def test_training_is_deterministic_and_seed_dependent():
    config = ft.FastTextConfig(dim=8, epochs=2, min_count=1, bucket=1000)
    a = ft.train(_toy_corpus(100), config, progress=False)
    b = ft.train(_toy_corpus(100), config, progress=False)
    c = ft.train(_toy_corpus(100), config, seed=1, progress=False)
    np.testing.assert_array_equal(a.input_vectors, b.input_vectors)
    assert not np.array_equal(a.input_vectors, c.input_vectors)


def test_training_lowers_the_loss(model):
    losses = [loss for _, loss in model.loss_curve]
    assert losses[-1] < losses[0]


def test_extra_words_let_evaluation_score_oov_pairs(model):
    wv = model.word_vectors(extra_words=["walkinggg", "walking"])
    assert "walkinggg" in wv and len(wv) == len(model.vocab) + 1
    assert evaluate.as_word_vectors(wv) is wv


def test_config_errors():
    with pytest.raises(ValueError, match="skip-gram"):
        ft.FastTextConfig(sg=False)
    with pytest.raises(ValueError, match="bucket"):
        ft.FastTextConfig(bucket=0)
    with pytest.raises(ValueError, match="min_n"):
        ft.FastTextConfig(min_n=5, max_n=3)


def test_reuses_word2vec_vocabulary_and_sampling(model):
    """The vocabulary is lesson 03's, and the noise table the same function's output."""
    encoded = w2v.build_vocab(_toy_corpus(), min_count=1)
    assert model.vocab.words == encoded.vocab.words
    np.testing.assert_array_equal(model.vocab.counts, encoded.vocab.counts)


def test_save_and_load_keep_lookups(model, tmp_path):
    path = tmp_path / "ft.npz"
    ft.save_model(model, path, top_words=5, dtype=np.float32)
    loaded = ft.load_model(path)
    assert loaded.vocab.words == model.vocab.words[:5]
    for word in model.vocab.words[:5] + ["walkinng", "naïve"]:
        np.testing.assert_allclose(loaded.vector(word), model.vector(word), rtol=1e-6, err_msg=word)
    with pytest.raises(FileNotFoundError, match="rebuild"):
        ft.load_model(tmp_path / "missing.npz")
