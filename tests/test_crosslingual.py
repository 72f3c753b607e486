"""embedlab.crosslingual: Procrustes against SciPy, CSLS against its formula, bad input,
determinism, and the committed data (checksums, alignment, sizes)."""

import numpy as np
import pytest
import scipy.linalg

from embedlab import crosslingual as xl
from embedlab import data
from embedlab.vectors import WordVectors


def _spaces(n=200, dim=20, seed=0, noise=0.01):
    g = np.random.default_rng(seed)
    X = g.standard_normal((n, dim))
    R = xl.random_rotation(dim, g)
    Y = X @ R + noise * g.standard_normal((n, dim))
    return X, Y, R


@pytest.mark.parametrize("seed", range(5))
def test_procrustes_equals_scipy_and_is_orthogonal(seed):
    X, Y, _ = _spaces(seed=seed)
    W = xl.procrustes(X, Y)
    ref, _ = scipy.linalg.orthogonal_procrustes(X, Y)
    assert np.abs(W - ref).max() < 1e-10
    assert np.abs(W.T @ W - np.eye(W.shape[0])).max() < 1e-6
    assert np.abs(W @ W.T - np.eye(W.shape[0])).max() < 1e-6


def test_procrustes_recovers_a_known_rotation():
    X, Y, R = _spaces(noise=0.0)
    assert np.abs(xl.procrustes(X, Y) - R).max() < 1e-8


def test_procrustes_beats_every_other_rotation():
    X, Y, _ = _spaces(noise=0.5)
    best = np.linalg.norm(X @ xl.procrustes(X, Y) - Y)
    g = np.random.default_rng(1)
    for _ in range(20):
        assert best <= np.linalg.norm(X @ xl.random_rotation(X.shape[1], g) - Y)


def test_least_squares_map_equals_scipy_lstsq():
    X, Y, _ = _spaces(noise=0.3)
    assert np.allclose(xl.least_squares_map(X, Y), scipy.linalg.lstsq(X, Y)[0], atol=1e-10)


def test_random_rotation_is_orthogonal_and_seeded():
    W = xl.random_rotation(30, np.random.default_rng(3))
    assert np.abs(W.T @ W - np.eye(30)).max() < 1e-10
    assert np.array_equal(W, xl.random_rotation(30, np.random.default_rng(3)))


def _csls_direct(Q, T, S, k):
    """CSLS by its definition, one pair at a time (Conneau et al. 2018, eq. 6)."""
    cos = lambda a, b: float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
    out = np.zeros((len(Q), len(T)))
    for i, x in enumerate(Q):
        r_t = np.mean(sorted((cos(x, y) for y in T), reverse=True)[:k])
        for j, y in enumerate(T):
            r_s = np.mean(sorted((cos(y, s) for s in S), reverse=True)[:k])
            out[i, j] = 2 * cos(x, y) - r_t - r_s
    return out


@pytest.mark.parametrize("k", [1, 3])
def test_csls_equals_the_direct_formula(k):
    g = np.random.default_rng(k)
    Q, T, S = g.standard_normal((6, 4)), g.standard_normal((9, 4)), g.standard_normal((11, 4))
    assert np.abs(xl.csls_scores(Q, T, k=k, sources=S) - _csls_direct(Q, T, S, k)).max() < 1e-10
    assert np.abs(xl.csls_scores(Q, T, k=k) - _csls_direct(Q, T, Q, k)).max() < 1e-10


def test_top_k_best_first_with_ties_to_lower_index():
    s = np.array([[0.1, 0.9, 0.9, 0.5], [1.0, 0.0, 0.2, 0.3]])
    assert xl.top_k(s, 3).tolist() == [[1, 2, 3], [0, 3, 2]]


def _toy():
    X, Y, R = _spaces(n=50, dim=8, noise=0.0)
    en = WordVectors([f"e{i}" for i in range(50)], X)
    es = WordVectors([f"s{i}" for i in range(50)], Y)
    return en, es, R


def test_translate_finds_the_rotated_word_with_nn_and_csls():
    en, es, R = _toy()
    words = [f"e{i}" for i in range(50)]
    for method in ("nn", "csls"):
        got = xl.translate(words, en, es, R, k=1, method=method)
        assert [g[0] for g in got] == [f"s{i}" for i in range(50)]


def test_precision_at_k():
    preds = [["a", "b"], ["c", "d"], ["e", "f"]]
    gold = [["b"], ["c", "x"], ["y"]]
    assert xl.precision_at_k(preds, gold, 1) == pytest.approx(1 / 3)
    assert xl.precision_at_k(preds, gold, 2) == pytest.approx(2 / 3)


def test_split_by_source_has_no_leakage_and_is_deterministic():
    d = {f"w{i}": [f"t{i}", f"u{i}"] for i in range(100)}
    train, test = xl.split_by_source(d, 0.3, seed=4)
    assert len(test) == 30 and len(train) == 70 and not set(train) & set(test)
    assert (train, test) == xl.split_by_source(d, 0.3, seed=4)
    assert test != xl.split_by_source(d, 0.3, seed=5)[1]


def test_verse_alignment_finds_the_cooccurring_word():
    en = ["god made light", "god saw", "light was good", "god is good"] * 3
    es = ["dios hizo luz", "dios vio", "luz era buena", "dios es bueno"] * 3
    seed = xl.verse_alignment(en, es, ["god", "light"], ["dios", "hizo", "luz", "vio"], min_count=1)
    assert seed == {"god": ["dios"], "light": ["luz"]}


def test_bad_input_dimension_mismatch():
    with pytest.raises(ValueError, match="dimension mismatch"):
        xl.procrustes(np.ones((5, 3)), np.ones((5, 4)))
    with pytest.raises(ValueError, match="dimension mismatch"):
        xl.csls_scores(np.ones((2, 3)), np.ones((4, 5)))
    en, es, R = _toy()
    with pytest.raises(ValueError, match="dimension mismatch"):
        xl.translate(["e1"], en, es, np.eye(5))


def test_bad_input_empty_dictionary():
    with pytest.raises(ValueError, match="empty dictionary"):
        xl.procrustes(np.zeros((0, 3)), np.zeros((0, 3)))
    en, es, _ = _toy()
    with pytest.raises(ValueError, match="empty dictionary"):
        xl.dictionary_in_vocab([("cat", "gato")], en, es)
    with pytest.raises(ValueError, match="empty dictionary"):
        xl.pairs_matrices({}, en, es)
    with pytest.raises(ValueError, match="empty dictionary"):
        xl.precision_at_k([], [], 1)


def test_bad_input_unknown_word():
    en, es, R = _toy()
    with pytest.raises(KeyError, match="unknown word"):
        xl.translate(["e1", "nonsense"], en, es, R)


def test_bad_input_shapes():
    with pytest.raises(ValueError, match="2-d"):
        xl.procrustes(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="same number"):
        xl.procrustes(np.ones((4, 3)), np.ones((5, 3)))
    with pytest.raises(ValueError, match="method"):
        xl.translate(["e1"], *_toy(), method="cosine")


# ----------------------------------------------------------------------------- committed data
def test_loaders_verify_checksums(tmp_path, monkeypatch):
    for rel in ("crosslingual/bible_en_es.tsv.xz", "crosslingual/dict_en_es.tsv",
                "models/crosslingual/word2vec_en.npz", "models/crosslingual/word2vec_es.npz"):
        assert data.verify(rel)
    # a corrupted copy of the data folder is refused
    root = tmp_path / "data"
    (root / "crosslingual").mkdir(parents=True)
    (root / "MANIFEST").write_bytes((data.DATA_DIR / "MANIFEST").read_bytes())
    (root / "crosslingual/dict_en_es.tsv").write_text("en\tes\ncat\tperro\n")
    monkeypatch.setattr(data, "DATA_DIR", root)
    with pytest.raises(data.DataFileError, match="sha256 mismatch"):
        xl.load_dictionary()


def test_committed_bible_is_verse_aligned():
    bible = xl.load_bible()
    assert list(bible.columns) == ["key", "en", "es"]
    assert len(bible) == 31_084 and bible["key"].is_unique
    first = bible.iloc[0]
    assert first["key"] == "Ge.1.1" and first["en"].startswith("in the beginning god created")
    assert first["es"].startswith("en el principio crio dios")
    last = bible.iloc[-1]
    assert last["key"] == "Rev.22.21" and "gracia" in last["es"].split()


def test_committed_dictionary_and_vectors():
    d = xl.load_dictionary()
    assert len(d) > 8000 and ("water", "agua") in set(zip(d["en"], d["es"]))
    en, es = xl.load_vectors("en"), xl.load_vectors("es")
    assert en.dim == es.dim == 100 and "god" in en and "dios" in es
    with pytest.raises(ValueError, match="language"):
        xl.load_vectors("fr")


def test_committed_use_vectors_match_the_retrieval_sample_and_the_model():
    keys, en, es = xl.load_use_verses()
    sample = xl.retrieval_sample(xl.load_bible())
    assert keys == sample["key"].tolist() and en.shape == es.shape == (1000, 512)
    live = xl.load_use().encode(sample["es"].head(2).tolist())  # weights checked by sha256
    assert np.sum(live * es[:2], axis=1).min() > 0.999


def test_use_weights_are_checked(monkeypatch):
    monkeypatch.setattr(xl, "USE_WEIGHTS_SHA256", "0" * 64)
    with pytest.raises(data.DataFileError, match="sha256"):
        xl.load_use()


# ----------------------------------------------------------------------------- the data recipe
def _b64(n: int) -> str:
    from embedlab.datasets.crosslingual import B64

    out = ""
    while True:
        out = B64[n % 64] + out
        n //= 64
        if n == 0:
            return out


def _ztext(folder, testament, entries):
    """A SWORD zText index with all entries in one zlib block (the layout SWORD writes)."""
    import struct
    import zlib

    raw, bzv, pos = b"", b"", 0
    for text in entries:
        data_ = text.encode("utf-8")
        bzv += struct.pack("<IIH", 0, pos, len(data_))
        raw += data_
        pos += len(data_)
    packed = zlib.compress(raw)
    (folder / f"{testament}.bzz").write_bytes(packed)
    (folder / f"{testament}.bzs").write_bytes(struct.pack("<III", 0, len(packed), len(raw)))
    (folder / f"{testament}.bzv").write_bytes(bzv)


def test_recipe_reads_ztext_in_kjv_layout_and_the_dictd_dictionary(tmp_path, monkeypatch):
    import gzip

    from embedlab.datasets import crosslingual as recipe

    verses = [("Ge", 1, 1, "In the beginning"), ("Ge", 1, 2, "And the earth"), ("Ge", 2, 1, "Thus the heavens"),
              ("Mat", 1, 1, "The book of the generation")]
    module = tmp_path / recipe.SPARV_MODULE
    module.mkdir(parents=True)
    # two testament headings, book heading, chapter heading, verses...; Ge 2:1 is empty in Spanish
    _ztext(module, "ot", ["", "<milestone/>", "<div type='book'/>", "<chapter n='1'/>",
                          "<w lemma='strong:H7225'>EN el principio</w>", "Y la tierra <note>n</note>",
                          "<chapter n='2'/>", ""])
    _ztext(module, "nt", ["", "", "<div/>", "<chapter/>", "Libro de la generación"])
    monkeypatch.setattr(recipe, "kjv_verses", lambda *a: verses)
    rows = recipe.aligned_verses(None, None, tmp_path)
    assert rows == [("Ge.1.1", "in the beginning", "en el principio"), ("Ge.1.2", "and the earth", "y la tierra"),
                    ("Mat.1.1", "the book of the generation", "libro de la generacion")]
    _ztext(module, "nt", ["", "", "<div/>", "<chapter/>"])  # one entry short: the layouts disagree
    with pytest.raises(RuntimeError, match="layout"):
        recipe.aligned_verses(None, None, tmp_path)

    base = tmp_path / "usr/share/dictd"
    base.mkdir(parents=True)
    body, index = b"", []
    for word, text in [("00databaseinfo", "notice\n"), ("water", "water /w/\n1. agua\n2. regar, mojar\n"),
                       ("a little", "a little /x/\npoco\n"), ("house", "house /h/\ncasa, hogar, casa de campo\n")]:
        data_ = text.encode("utf-8")
        index.append(f"{word}\t{_b64(len(body))}\t{_b64(len(data_))}")
        body += data_
    (base / "freedict-eng-spa.index").write_text("\n".join(index) + "\n", encoding="utf-8")
    with gzip.open(base / "freedict-eng-spa.dict.dz", "wb") as f:
        f.write(body)
    assert recipe.dictionary_pairs(tmp_path) == [("house", "casa"), ("house", "hogar"), ("water", "agua"),
                                                 ("water", "mojar"), ("water", "regar")]
