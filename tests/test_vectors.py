"""WordVectors and the pretrained GloVe loader."""

import numpy as np
import pytest

from embedlab.pretrained import load_glove
from embedlab.vectors import WordVectors


@pytest.fixture
def toy():
    words = ["king", "queen", "man", "woman", "apple"]
    vectors = np.array([[1, 1, 0], [1, -1, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1]], dtype=float)
    return WordVectors(words, vectors, name="toy")


def test_lookup_and_similarity(toy):
    np.testing.assert_array_equal(toy["man"], [0, 1, 0])
    assert "king" in toy and "prince" not in toy
    assert toy.similarity("king", "man") == pytest.approx(1 / np.sqrt(2))
    assert len(toy) == 5 and toy.dim == 3


def test_analogy_on_a_planted_structure(toy):
    # king - man + woman = (1, -1, 0) = queen
    assert toy.analogy("man", "king", "woman")[0][0] == "queen"


def test_most_similar_excludes_the_query_and_sorts(toy):
    neighbours = toy.most_similar("king", k=4)
    words = [w for w, _ in neighbours]
    assert "king" not in words
    assert [s for _, s in neighbours] == sorted((s for _, s in neighbours), reverse=True)
    assert toy.most_similar("king", k=1)[0][0] == "man"
    assert toy.most_similar("king", k=1, exclude=["man"])[0][0] != "man"


def test_unknown_word_gives_a_clear_error(toy):
    with pytest.raises(KeyError, match="'prince' is not in the vocabulary of toy"):
        toy["prince"]
    with pytest.raises(KeyError, match="prince"):
        toy.analogy("man", "prince", "woman")


def test_bad_construction():
    with pytest.raises(ValueError, match="2 words but 3 vectors"):
        WordVectors(["a", "b"], np.ones((3, 2)))
    with pytest.raises(ValueError, match="unique"):
        WordVectors(["a", "a"], np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"shape \(n_words, dim\)"):
        WordVectors(["a"], np.ones(3))


def test_pretrained_glove_is_the_real_thing():
    glove = load_glove()
    assert len(glove) == 400_000 and glove.dim == 50
    assert glove.vectors.dtype == np.float32
    assert glove.words[:3] == ["the", ",", "."]  # GloVe is ordered by frequency
    assert glove.analogy("man", "king", "woman")[0][0] == "queen"
    assert "toad" in [w for w, _ in glove.most_similar("frog", k=5)]
    assert glove.similarity("cat", "dog") > glove.similarity("cat", "economics")


def test_save_and_load_round_trip(toy, tmp_path):
    digest = toy.save(tmp_path / "toy.npz")
    loaded = WordVectors.load(tmp_path / "toy.npz", name="back")
    assert loaded.words == toy.words and loaded.name == "back"
    np.testing.assert_allclose(loaded.vectors, toy.vectors, atol=1e-3)  # float16 on disk
    assert loaded.vectors.dtype == np.float32
    assert toy.save(tmp_path / "again.npz") == digest, "the same vectors give the same bytes"


def test_load_missing_file_names_the_rebuild_command(tmp_path):
    with pytest.raises(FileNotFoundError, match="rebuild it with: make it"):
        WordVectors.load(tmp_path / "nope.npz", rebuild="make it")
