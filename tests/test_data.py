"""Tests of the run-time loaders in embedlab.data against the committed data/."""

from __future__ import annotations

import itertools
import shutil

import numpy as np
import pytest

from embedlab import data

MANIFEST = data.manifest()
MANIFEST_DIR = data.DATA_DIR


def _built(rel: str) -> bool:
    return rel in MANIFEST and (data.DATA_DIR / rel).exists()


def needs(*rels):
    missing = [r for r in rels if not _built(r)]
    return pytest.mark.skipif(bool(missing), reason=f"not built yet: {missing}")


# ----------------------------------------------------------------------------- manifest
def test_every_manifest_file_matches_its_checksum():
    assert MANIFEST, "data/MANIFEST is empty"
    for rel in MANIFEST:
        data.verify(rel)  # raises DataFileError on mismatch


def test_every_file_has_licence_source_and_command():
    for rel, rec in MANIFEST.items():
        assert rec["licence"].strip(), rel
        assert rec["sources"].strip(), rel
        # data sets are rebuilt by the recipe; trained models by their lesson's module
        rebuild = "python -m embedlab." if rel.startswith("models/") else "make data"
        assert rebuild in rec["command"], rel
        assert int(rec["bytes"]) == (data.DATA_DIR / rel).stat().st_size, rel


def test_every_data_file_is_in_the_manifest_and_within_size_limits():
    skip = {"MANIFEST", "README.md"}
    files = [p for p in data.DATA_DIR.rglob("*") if p.is_file()]
    rels = {p.relative_to(data.DATA_DIR).as_posix() for p in files}
    assert rels - skip <= set(MANIFEST), sorted(rels - skip - set(MANIFEST))
    sizes = {r: (data.DATA_DIR / r).stat().st_size for r in rels}
    assert max(sizes.values()) <= 25 * 2**20, max(sizes, key=sizes.get)
    assert sum(sizes.values()) <= 80 * 2**20


# ----------------------------------------------------------------------------- errors
@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A private copy of MANIFEST + the small corpus; data.DATA_DIR points at it."""
    for rel in ["MANIFEST", "corpus/corpus_small.txt.xz", "corpus/corpus_small.docs.tsv",
                "eval/wordsim353.tsv"]:
        dst = tmp_path / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(data.DATA_DIR / rel, dst)
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)
    return tmp_path


def test_corrupted_file_gives_clear_error(data_copy):
    path = data_copy / "eval/wordsim353.tsv"
    raw = bytearray(path.read_bytes())
    raw[100] ^= 1
    path.write_bytes(bytes(raw))
    with pytest.raises(data.DataFileError) as err:
        data.load_wordsim353()
    msg = str(err.value)
    assert "wordsim353.tsv" in msg and "make data" in msg
    assert MANIFEST["eval/wordsim353.tsv"]["sha256"] in msg  # expected hash shown
    assert "expected" in msg and "got" in msg
    assert isinstance(err.value, ValueError) and isinstance(err.value, FileNotFoundError)


def test_missing_file_gives_clear_error(data_copy):
    (data_copy / "corpus/corpus_small.txt.xz").unlink()
    with pytest.raises(data.DataFileError, match=r"corpus_small\.txt\.xz.*make data"):
        data.load_corpus("small")
    with pytest.raises(FileNotFoundError):
        next(data.iter_corpus("small"))


def test_corrupted_corpus_is_not_served_from_cache(data_copy):
    c = data.load_corpus("small")  # loads from the copy
    assert c.n_tokens > 0
    path = data_copy / "corpus/corpus_small.txt.xz"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(data.DataFileError, match="sha256"):
        data.load_corpus("small")


def test_missing_manifest(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)
    (tmp_path / "eval").mkdir()
    shutil.copyfile(MANIFEST_DIR / "eval/questions-words.txt",
                    tmp_path / "eval/questions-words.txt")
    with pytest.raises(data.DataFileError, match="MANIFEST.*make data"):
        data.load_analogies()


def test_unknown_names_raise_value_error():
    with pytest.raises(ValueError, match="sotu"):
        data.load_documents("nope")
    with pytest.raises(ValueError, match="full"):
        data.load_corpus("medium")


# ----------------------------------------------------------------------------- corpus
@needs("corpus/corpus_small.txt.xz")
def test_small_corpus_shapes_and_types():
    c = data.load_corpus("small")
    assert c is data.load_corpus("small")  # cached per process
    assert 400_000 <= c.n_tokens <= 650_000
    assert c.ids.dtype == np.int32 and c.ids.shape == (c.n_tokens,)
    assert c.offsets.dtype == np.int64 and c.offsets.shape == (len(c) + 1,)
    assert c.offsets[0] == 0 and c.offsets[-1] == c.n_tokens
    assert c.counts.dtype == np.int64 and len(c.counts) == len(c.words)
    assert c.counts.sum() == c.n_tokens
    assert np.all(np.diff(c.counts) <= 0)  # sorted by descending count
    ties = [(c.words[i], c.words[i + 1]) for i in range(len(c.words) - 1)
            if c.counts[i] == c.counts[i + 1]]
    assert all(a < b for a, b in ties[:1000])
    assert c.words[0] == "the"
    assert c.sources.shape == (len(c),) and c.sources.dtype == np.int16
    assert set(c.source_names) == {"austen", "kjv", "moby_dick", "sotu", "web", "wordnet"}
    assert set(np.unique(c.sources)) == set(range(len(c.source_names)))  # a real mix
    first = next(c.sentences())
    assert first == next(data.iter_corpus("small"))
    assert all(isinstance(w, str) and w == w.lower() for w in first)


@needs("corpus/corpus_small.txt.xz")
def test_small_corpus_mix_matches_full():
    full = data.corpus_docs("full").groupby("source")["n_tokens"].sum()
    small = data.corpus_docs("small").groupby("source")["n_tokens"].sum()
    share_full = full / full.sum()
    share_small = small / small.sum()
    assert (abs(share_full - share_small) < 0.05).all()


@needs("corpus/corpus_full.txt.xz")
def test_full_corpus_streams():
    head = list(itertools.islice(data.iter_corpus("full"), 1000))
    assert len(head) == 1000 and all(len(s) >= 2 for s in head)
    docs = data.corpus_docs("full")
    assert docs["n_tokens"].sum() >= 5_000_000
    assert list(docs.columns) == ["doc", "source", "n_lines", "n_tokens"]


# ----------------------------------------------------------------------------- evaluation
@needs("eval/questions-words.txt")
def test_analogies():
    df = data.load_analogies()
    assert len(df) == 19544
    assert list(df.columns) == ["section", "a", "b", "c", "d", "syntactic"]
    assert df["section"].nunique() == 14
    assert df["syntactic"].dtype == bool and df["syntactic"].sum() == 10675
    assert (df["a"] == df["a"].str.lower()).all()


@needs("eval/wordsim353.tsv", "eval/simlex999.tsv")
def test_similarity_sets():
    ws = data.load_wordsim353()
    assert ws.shape == (353, 3) and list(ws.columns) == ["word1", "word2", "score"]
    assert ws["score"].dtype == float and ws["score"].between(0, 10).all()
    sl = data.load_simlex999()
    assert sl.shape == (999, 4) and list(sl.columns) == ["word1", "word2", "score", "pos"]
    assert sl["pos"].value_counts().to_dict() == {"N": 666, "V": 222, "A": 111}
    assert sl.loc[sl.word1 == "old", "pos"].iloc[0] == "A"


# ----------------------------------------------------------------------------- documents
@needs("documents/sotu.jsonl.xz")
def test_sotu_documents():
    df = data.load_documents("sotu")
    assert len(df) == 233
    assert {"text", "year", "president", "party"} <= set(df.columns)
    assert df["year"].dtype == np.int64 and df["year"].min() == 1790
    assert {"Democratic", "Republican"} <= set(df["party"])
    assert df["text"].str.len().min() > 1000


@needs("documents/spam.jsonl.xz")
def test_spam_documents():
    df = data.load_documents("spam")
    assert {"text", "label", "subject"} <= set(df.columns)
    assert set(df["label"]) == {"spam", "ham"}
    assert len(df) > 5000


@needs("documents/chatterbot.jsonl.xz")
def test_chatterbot_documents():
    df = data.load_documents("chatterbot")
    assert {"text", "category"} <= set(df.columns)
    assert df["category"].nunique() >= 10


# ----------------------------------------------------------------------------- images
@needs("images/fashion_mnist_subset.npz")
def test_fashion_mnist():
    X, y, names = data.load_fashion_mnist("train")
    assert X.dtype == np.uint8 and X.ndim == 3 and X.shape[1:] == (28, 28)
    assert y.dtype == np.int64 and y.shape == (X.shape[0],)
    assert names == data.FASHION_CLASSES
    assert np.bincount(y, minlength=10).min() == np.bincount(y).max()  # balanced
    Xt, yt, _ = data.load_fashion_mnist("test")
    assert Xt.shape[0] == yt.shape[0] > 0
    with pytest.raises(ValueError):
        data.load_fashion_mnist("val")


@needs("images/openclipart_64.npz", "images/openclipart_meta.jsonl.xz")
def test_image_captions():
    images, meta = data.load_image_captions()
    assert images.dtype == np.uint8 and images.ndim == 4 and images.shape[-1] == 3
    assert images.shape[1:3] == (64, 64)
    assert len(meta) == images.shape[0] >= 1000
    for col in ["caption", "category", "keywords", "split", "source_id"]:
        assert col in meta.columns, col
    assert set(meta["split"]) == {"train", "test"}
    assert meta["caption"].str.len().min() > 0
    assert meta["category"].value_counts().min() >= 20


# ----------------------------------------------------------------------------- audio
@needs("audio/spoken_words_synth.npz", "audio/spoken_words_synth.tsv")
def test_audio_synthetic():
    waves, meta = data.load_audio()
    assert isinstance(waves, list) and len(waves) == len(meta) > 100
    assert all(w.dtype == np.float32 and w.ndim == 1 for w in waves[:50])
    assert max(float(np.abs(w).max()) for w in waves[:50]) <= 1.0
    for col in ["word", "speaker", "engine", "split", "length"]:
        assert col in meta.columns, col
    assert meta["speaker"].nunique() >= 10
    # split by speaker: no speaker in both
    sp = meta.groupby("speaker")["split"].nunique()
    assert (sp == 1).all()
    padded, meta2 = data.load_audio(padded=True)
    assert padded.dtype == np.float32 and padded.shape == (len(meta), meta["length"].max())
    i = 3
    assert np.array_equal(padded[i, : meta2["length"][i]], waves[i])
