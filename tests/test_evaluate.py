"""Tests of embedlab.evaluate: analogies, word similarity, neighbour overlap, parity with gensim."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from embedlab import evaluate
from embedlab.vectors import WordVectors


def planted_vectors() -> WordVectors:
    """Gender and plural as two directions, plus unrelated noise words."""
    rng = np.random.default_rng(0)
    royal, male_female, person, plural = np.eye(8)[:4]
    vectors = {
        "king": royal + male_female, "queen": royal - male_female,
        "man": person + male_female, "woman": person - male_female,
        "kings": royal + male_female + plural, "queens": royal - male_female + plural,
    }
    for i in range(20):
        vectors[f"noise{i}"] = rng.normal(scale=0.3, size=8)
    return WordVectors(list(vectors), np.array(list(vectors.values())), name="planted")


def questions() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("family", "man", "king", "woman", "queen", False),
            ("family", "king", "man", "queen", "woman", False),
            ("family", "man", "king", "woman", "unicorn", False),  # OOV answer
            ("gram8-plural", "king", "kings", "queen", "queens", True),
            ("gram8-plural", "queen", "queens", "king", "noise3", True),  # wrong answer key
        ],
        columns=["section", "a", "b", "c", "d", "syntactic"],
    )


def test_analogies_answer_planted_questions_and_count_oov():
    result = evaluate.analogies(planted_vectors(), questions())
    assert result.n_questions == 5 and result.n_answered == 4 and result.n_oov == 1
    assert result.semantic == 1.0 and result.syntactic == 0.5 and result.accuracy == 0.75
    assert result.details["predicted"].tolist() == ["queen", "woman", None, "queens", "kings"]
    sections = result.by_section.set_index("section")
    assert sections.loc["family", "answered"] == 2 and sections.loc["gram8-plural", "correct"] == 1


def test_analogies_never_answer_with_a_question_word():
    wv = WordVectors(["a", "b", "c", "x"], np.array([[1, 0], [1, 0.01], [1, 0.02], [-1, 0]]))
    q = pd.DataFrame([("a", "b", "c", "x")], columns=list("abcd"))
    assert evaluate.analogies(wv, q).details["predicted"][0] == "x"  # b - a + c is nearest to c


def test_restrict_vocab_makes_rare_words_oov():
    result = evaluate.analogies(planted_vectors(), questions(), restrict_vocab=4)  # king, queen, man, woman
    assert result.n_answered == 2


def test_analogies_match_gensim(tmp_path):
    from gensim.models import KeyedVectors

    rng = np.random.default_rng(1)
    words = [f"w{i}" for i in range(300)]
    vectors = rng.normal(size=(300, 10)).astype(np.float32)
    vectors[:50] += vectors[50:100] - vectors[100:150]  # plant some structure so answers vary
    q = pd.DataFrame(rng.integers(0, 320, (400, 4)), columns=list("abcd")).map(lambda i: f"w{i}")
    q["section"] = np.where(np.arange(400) < 200, "capital-world", "gram1-adjective-to-adverb")
    q = q[(q[["a", "b", "c"]].nunique(axis=1) == 3)]
    path = tmp_path / "questions.txt"
    with open(path, "w") as f:
        for section, block in q.groupby("section", sort=False):
            f.write(f": {section}\n")
            f.writelines(f"{a} {b} {c} {d}\n" for a, b, c, d in block[list("abcd")].itertuples(index=False))
    kv = KeyedVectors(10)
    kv.add_vectors(words, vectors)
    gensim_score, _ = kv.evaluate_word_analogies(str(path), case_insensitive=False)
    ours = evaluate.analogies(WordVectors(words, vectors), q)
    assert ours.n_answered < len(q)  # some questions use w300..w319, unknown words
    assert ours.accuracy == pytest.approx(gensim_score, abs=1e-12)


def test_word_similarity_is_spearman_over_known_pairs():
    wv = planted_vectors()
    pairs = pd.DataFrame(
        [("king", "kings", 8.0), ("kings", "queens", 7.0), ("king", "noise1", 1.0), ("Man", "queens", 6.0),
         ("king", "dragon", 5.0)],
        columns=["word1", "word2", "score"],
    )
    result = evaluate.word_similarity(wv, pairs)
    assert result.n_pairs == 5 and result.n_used == 4 and result.n_oov == 1  # "Man" is lower-cased
    cosines = [wv.similarity("king", "kings"), wv.similarity("kings", "queens"), wv.similarity("king", "noise1"),
               wv.similarity("man", "queens")]
    assert result.spearman == pytest.approx(stats.spearmanr(cosines, [8, 7, 1, 6]).statistic)


def test_word_similarity_matches_gensim(tmp_path):
    from gensim.models import KeyedVectors

    rng = np.random.default_rng(2)
    words = [f"w{i}" for i in range(100)]
    vectors = rng.normal(size=(100, 6)).astype(np.float32)
    first = rng.integers(0, 110, 80)
    second = (first + rng.integers(1, 110, 80)) % 110  # no word paired with itself (cosine ties)
    pairs = pd.DataFrame({"word1": [f"w{i}" for i in first], "word2": [f"w{i}" for i in second],
                          "score": rng.uniform(0, 10, 80).round(2)})
    path = tmp_path / "pairs.tsv"
    pairs.to_csv(path, sep="\t", header=False, index=False)
    kv = KeyedVectors(6)
    kv.add_vectors(words, vectors)
    pearson, spearman, oov_percent = kv.evaluate_word_pairs(str(path), case_insensitive=False)
    ours = evaluate.word_similarity(WordVectors(words, vectors), pairs)
    assert ours.spearman == pytest.approx(spearman.statistic, abs=1e-6)
    assert ours.pearson == pytest.approx(pearson.statistic, abs=1e-6)
    assert 100 * ours.n_oov / ours.n_pairs == pytest.approx(oov_percent)


def test_neighbour_overlap_is_one_for_a_rotated_copy_and_low_for_noise():
    rng = np.random.default_rng(3)
    wv = WordVectors([f"w{i}" for i in range(200)], rng.normal(size=(200, 5)))
    rotation, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    rotated = WordVectors(wv.words, wv.vectors @ rotation)  # cosines are unchanged
    unrelated = WordVectors(wv.words, rng.normal(size=(200, 5)))
    assert evaluate.neighbour_overlap(wv, rotated, k=5) == pytest.approx(1.0)
    assert evaluate.neighbour_overlap(wv, unrelated, k=5) < 0.2


def test_as_word_vectors_accepts_gensim_keyed_vectors():
    from gensim.models import KeyedVectors

    kv = KeyedVectors(3)
    kv.add_vectors(["a", "b"], np.eye(2, 3, dtype=np.float32))
    wv = evaluate.as_word_vectors(kv)
    assert wv.words == ["a", "b"] and np.array_equal(wv["b"], [0, 1, 0])
    with pytest.raises(TypeError, match="WordVectors or gensim KeyedVectors"):
        evaluate.as_word_vectors({"a": [1, 2]})


def test_compare_builds_one_row_per_model_on_the_course_data():
    glove_like = planted_vectors()
    table = evaluate.compare({"planted": glove_like})
    assert list(table.index) == ["planted"]
    assert table.loc["planted", "analogy_oov"] == 19544 - table.loc["planted", "analogy_answered"]
    assert table.loc["planted", "wordsim353_oov"] > 340  # the planted model knows almost no test word


def test_bad_inputs_give_clear_errors():
    wv = planted_vectors()
    with pytest.raises(ValueError, match="missing \\['d'\\]"):
        evaluate.analogies(wv, pd.DataFrame(columns=["a", "b", "c"]))
    with pytest.raises(ValueError, match="missing \\['score'\\]"):
        evaluate.word_similarity(wv, pd.DataFrame(columns=["word1", "word2"]))
    with pytest.raises(ValueError, match="k must be a positive integer"):
        evaluate.neighbour_overlap(wv, wv, k=0)
    other = WordVectors(["x", "y"], np.eye(2))
    with pytest.raises(ValueError, match="share only 0 words"):
        evaluate.neighbour_overlap(wv, other)
    with pytest.raises(KeyError, match="not in both models"):
        evaluate.neighbour_overlap(wv, wv, words=["dragon"], k=2)
    with pytest.raises(ValueError, match="at least one model"):
        evaluate.compare({})
