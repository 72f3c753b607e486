"""Loaders for the course's committed data (``data/`` at the repository root).

Every loader checks the file it reads against the sha256 recorded in ``data/MANIFEST``
(once per process; again only if the file's size or modification time changes). A missing
or corrupted file raises :class:`DataFileError`, whose message names the file and the
command that rebuilds it (``make data``). Nothing here downloads anything.

The data directory is ``data/`` next to ``src/``; the environment variable
``EMBEDLAB_DATA`` overrides it (read at import; tests may also set ``data.DATA_DIR``).

Only numpy, pandas and the standard library are used, so importing this module is cheap.
See ``data/README.md`` for what each set contains, where it comes from and its licence.
"""

from __future__ import annotations

import hashlib
import json
import lzma
import os
import threading
from array import array
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import numpy as np

if TYPE_CHECKING:  # pandas is imported lazily: `import embedlab.data` stays cheap
    import pandas as pd

__all__ = [
    "DATA_DIR", "DataFileError", "verify", "manifest",
    "Corpus", "iter_corpus", "load_corpus", "corpus_docs", "CORPUS_SIZES",
    "load_analogies", "load_wordsim353", "load_simlex999",
    "load_documents", "DOCUMENT_SETS",
    "load_image_captions", "load_fashion_mnist", "FASHION_CLASSES",
    "load_audio",
]

DATA_DIR = Path(os.environ.get("EMBEDLAB_DATA") or Path(__file__).resolve().parents[2] / "data")

REBUILD = "make data"
CORPUS_SIZES = ("full", "small")
DOCUMENT_SETS = ("sotu", "spam", "chatterbot")
FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                   "Sneaker", "Bag", "Ankle boot"]


class DataFileError(FileNotFoundError, ValueError):
    """A data file is missing, not in the manifest, or its checksum does not match.

    It is both a ``FileNotFoundError`` and a ``ValueError``, so either ``except`` works.
    """


# ----------------------------------------------------------------------------- checking
_lock = threading.Lock()
_manifest_cache: dict[Path, tuple[tuple, dict]] = {}
_verified: dict[Path, tuple[int, int]] = {}


def _dir() -> Path:
    return Path(DATA_DIR)


def manifest() -> dict[str, dict]:
    """``data/MANIFEST`` as {relative path: record}; see ``data/README.md`` for columns."""
    path = _dir() / "MANIFEST"
    try:
        st = path.stat()
    except FileNotFoundError:
        raise DataFileError(
            f"data manifest {path} is missing; rebuild with `{REBUILD}` "
            f"(or point EMBEDLAB_DATA at the data folder)") from None
    key = (st.st_size, st.st_mtime_ns)
    cached = _manifest_cache.get(path)
    if cached and cached[0] == key:
        return cached[1]
    records = parse_manifest(path.read_text(encoding="utf-8"))
    _manifest_cache[path] = (key, records)
    return records


def parse_manifest(text: str) -> dict[str, dict]:
    """Rows of a MANIFEST text (``#`` comments, a header row, tab-separated cells) by path."""
    records: dict[str, dict] = {}
    header = None
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        cells = line.split("\t")
        if header is None:
            header = cells
            continue
        rec = dict(zip(header, cells))
        records[rec["path"]] = rec
    return records


def sha256(path: str | os.PathLike) -> str:
    """The file's sha256 as hex, read in 1 MB blocks (large files never sit in memory whole)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify(path: str | os.PathLike) -> Path:
    """Check a data file against ``data/MANIFEST``; return its absolute path.

    ``path`` is relative to the data directory (``"corpus/corpus_small.txt.xz"``) or
    absolute inside it. Raises :class:`DataFileError` if the file is missing, unlisted or
    its sha256 differs. The hash is computed once per process (again if size/mtime change).
    """
    root = _dir()
    p = Path(path)
    full = p if p.is_absolute() else root / p
    try:
        rel = full.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        rel = p.as_posix()
    try:
        st = full.stat()
    except FileNotFoundError:
        raise DataFileError(f"data file {full} is missing; rebuild with `{REBUILD}`") from None
    stamp = (st.st_size, st.st_mtime_ns)
    with _lock:
        if _verified.get(full) == stamp:
            return full
    rec = manifest().get(rel)
    if rec is None:
        raise DataFileError(f"data file {full} is not listed in {root / 'MANIFEST'}; "
                            f"rebuild with `{REBUILD}`")
    actual = sha256(full)
    if actual != rec["sha256"]:
        raise DataFileError(
            f"data file {full} is corrupted (sha256 mismatch): expected {rec['sha256']}, "
            f"got {actual}; rebuild with `{REBUILD}` (or restore it with git)")
    with _lock:
        _verified[full] = stamp
    return full


# ----------------------------------------------------------------------------- corpus
def _corpus_file(size: str, ext: str) -> Path:
    if size not in CORPUS_SIZES:
        raise ValueError(f"size must be one of {CORPUS_SIZES}, got {size!r}")
    return verify(f"corpus/corpus_{size}{ext}")


def iter_corpus(size: str = "full") -> Iterator[list[str]]:
    """Stream the corpus: one list of lowercase tokens per sentence (line), in order.

    ``size="full"`` (~6.2M tokens) or ``"small"`` (~0.5M tokens, the same mix of
    sources). Memory stays small: the xz file is decompressed as it is read. A generator
    can be consumed once; gensim wants a re-iterable, so pass ``list(iter_corpus(...))``
    or ``load_corpus(...).sentences()`` wrapped in a class, or the path itself
    (``gensim.models.word2vec.LineSentence`` reads ``.xz``).
    """
    path = _corpus_file(size, ".txt.xz")

    def gen():
        with lzma.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                yield line.split()

    return gen()


def corpus_docs(size: str = "full") -> pd.DataFrame:
    """The corpus' units in order: columns doc, source, n_lines, n_tokens."""
    import pandas as pd

    return pd.read_csv(_corpus_file(size, ".docs.tsv"), sep="\t", keep_default_na=False)


@dataclass(eq=False)
class Corpus:
    """A tokenised corpus held as integer ids (about 4 bytes per token).

    words:   vocabulary, sorted by descending count, ties alphabetical
    counts:  int64 counts aligned with ``words``
    ids:     int32 id of every token, sentences concatenated in order
    offsets: int64, len = n_sentences + 1; sentence i is ``ids[offsets[i]:offsets[i+1]]``
    sources: int16 source index of every sentence, into ``source_names``
    source_names: names of the texts (alphabetical): austen, kjv, moby_dick, sotu, web, wordnet
    """

    words: list[str]
    counts: np.ndarray
    ids: np.ndarray
    offsets: np.ndarray
    sources: np.ndarray
    source_names: list[str]
    size: str = "full"
    _index: dict | None = field(default=None, repr=False)

    @property
    def n_tokens(self) -> int:
        return int(self.ids.shape[0])

    @property
    def vocab_size(self) -> int:
        return len(self.words)

    @property
    def word_to_id(self) -> dict[str, int]:
        if self._index is None:
            self._index = {w: i for i, w in enumerate(self.words)}
        return self._index

    def __len__(self) -> int:
        return int(self.offsets.shape[0] - 1)

    def __repr__(self) -> str:
        return (f"Corpus(size={self.size!r}, sentences={len(self):,}, tokens={self.n_tokens:,}, "
                f"vocab={self.vocab_size:,}, sources={self.source_names})")

    def sentence(self, i: int) -> list[str]:
        w = self.words
        return [w[j] for j in self.ids[self.offsets[i]:self.offsets[i + 1]].tolist()]

    def sentences(self) -> Iterator[list[str]]:
        """Iterate over sentences as lists of words (a fresh iterator on every call)."""
        w = self.words
        ids, off = self.ids, self.offsets
        for i in range(len(self)):
            yield [w[j] for j in ids[off[i]:off[i + 1]].tolist()]

    def __iter__(self) -> Iterator[list[str]]:
        # re-iterable, so a Corpus can be handed to gensim directly
        return self.sentences()


_corpus_cache: dict[tuple[Path, str], Corpus] = {}


def load_corpus(size: str = "full") -> Corpus:
    """Load the corpus as integer ids (cached per process). See :class:`Corpus`.

    Full: about 6.2M tokens, 290k sentences, 115k word types; ~40 MB in memory,
    a few seconds to load. Use ``size="small"`` (~0.5M tokens) for quick demos.
    """
    path = _corpus_file(size, ".txt.xz")
    with _lock:
        cached = _corpus_cache.get((path, size))
    if cached is not None:
        return cached
    docs = corpus_docs(size)
    with lzma.open(path, "rt", encoding="utf-8") as f:
        lines = f.read().splitlines()  # ~40 MB of ASCII for the full corpus
    # pass 1: counts (Counter.update runs in C); pass 2: ids via the sorted vocabulary
    counter: Counter = Counter()
    update = counter.update
    for line in lines:
        update(line.split())
    words = sorted(counter, key=lambda w: (-counter[w], w))
    get = {w: i for i, w in enumerate(words)}.__getitem__
    raw = array("i")
    lengths = array("q")
    for line in lines:
        toks = line.split()
        raw.extend(map(get, toks))
        lengths.append(len(toks))
    del lines
    ids = np.frombuffer(raw, dtype=np.int32)
    counts = np.fromiter((counter[w] for w in words), dtype=np.int64, count=len(words))
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(np.frombuffer(lengths, dtype=np.int64), out=offsets[1:])
    source_names = sorted(set(docs["source"]))
    src_code = {s: i for i, s in enumerate(source_names)}
    sources = np.repeat(np.array([src_code[s] for s in docs["source"]], dtype=np.int16),
                        docs["n_lines"].to_numpy())
    if sources.shape[0] != len(lengths):
        raise DataFileError(f"{path} and its .docs.tsv disagree on the number of lines; "
                            f"rebuild with `{REBUILD}`")
    corpus = Corpus(words=words, counts=counts, ids=ids, offsets=offsets, sources=sources,
                    source_names=source_names, size=size)
    with _lock:
        _corpus_cache[(path, size)] = corpus
    return corpus


# ----------------------------------------------------------------------------- evaluation
def load_analogies() -> pd.DataFrame:
    """Google's 19,544 analogy questions ``a : b :: c : d`` (Mikolov et al. 2013).

    Columns: section (14 sections, e.g. ``capital-common-countries``, ``gram8-plural``),
    a, b, c, d (lower-cased), syntactic (bool: section starts with ``gram``).
    """
    import pandas as pd

    path = verify("eval/questions-words.txt")
    rows = []
    section = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(":"):
            section = line[1:].strip()
        elif line.strip():
            a, b, c, d = line.lower().split()
            rows.append((section, a, b, c, d))
    df = pd.DataFrame(rows, columns=["section", "a", "b", "c", "d"])
    df["syntactic"] = df["section"].str.startswith("gram")
    return df


def _pairs(name: str, columns=("word1", "word2", "score")) -> pd.DataFrame:
    import pandas as pd

    path = verify(f"eval/{name}")
    df = pd.read_csv(path, sep="\t", comment="#", header=None, names=list(columns),
                     keep_default_na=False)
    df["word1"] = df["word1"].str.lower()
    df["word2"] = df["word2"].str.lower()
    df["score"] = df["score"].astype(float)
    return df


def load_wordsim353() -> pd.DataFrame:
    """WordSim-353 (Finkelstein et al. 2002): 353 rows, columns word1, word2, score (0-10)."""
    return _pairs("wordsim353.tsv")


def load_simlex999() -> pd.DataFrame:
    """SimLex-999 (Hill et al. 2015): 999 rows, columns word1, word2, score (0-10), pos.

    ``pos`` (A, N or V) is restored from the published file's order (111 adjective, 666
    noun, 222 verb pairs); gensim's copy has no POS column (see ``data/README.md``).
    """
    return _pairs("simlex999.tsv", ("word1", "word2", "score", "pos"))


# ----------------------------------------------------------------------------- documents
def _read_jsonl_xz(path: Path) -> pd.DataFrame:
    import pandas as pd

    with lzma.open(path, "rt", encoding="utf-8") as f:
        return pd.DataFrame([json.loads(line) for line in f])


def load_documents(name: str = "sotu") -> pd.DataFrame:
    """Labelled documents for Doc2Vec, classification, clustering and search.

    ``"sotu"``: 233 State of the Union addresses 1790-2021; columns doc_id, text, year,
    president, party (e.g. Democratic, Republican, Whig, none).
    ``"spam"``: 6,046 SpamAssassin e-mails; columns doc_id, text (body), subject, sender
    domain, label ("spam"/"ham"), group (easy_ham, hard_ham, spam), folder.
    ``"chatterbot"``: chatterbot English corpus; columns doc_id, text (a question with its
    answers), question, category.
    """
    if name not in DOCUMENT_SETS:
        raise ValueError(f"unknown document set {name!r}; valid names: {', '.join(DOCUMENT_SETS)}")
    df = _read_jsonl_xz(verify(f"documents/{name}.jsonl.xz"))
    if name == "sotu":
        df["year"] = df["year"].astype(np.int64)
    return df


# ----------------------------------------------------------------------------- images
def _npz(rel: str) -> dict[str, np.ndarray]:
    with np.load(verify(rel), allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def load_image_captions() -> tuple[np.ndarray, pd.DataFrame]:
    """OpenClipart image-text pairs for the CLIP lesson (public domain).

    Returns ``(images, meta)``: images uint8 (N, 64, 64, 3), RGB on white; meta has one
    row per image with columns caption (the SVG title, cleaned), category (OpenClipart
    folder, e.g. ``animals``), keywords (space-separated), description, split
    ("train"/"test", stratified by category), source_id (path in the package).
    """
    import pandas as pd

    arrays = _npz("images/openclipart_64.npz")
    with lzma.open(verify("images/openclipart_meta.jsonl.xz"), "rt", encoding="utf-8") as f:
        meta = pd.DataFrame([json.loads(line) for line in f])
    images = arrays["images"]
    if len(meta) != images.shape[0]:
        raise DataFileError(f"image and caption counts differ; rebuild with `{REBUILD}`")
    return images, meta


def load_fashion_mnist(split: str | None = None):
    """A class-balanced Fashion-MNIST subset (Xiao et al. 2017, MIT).

    ``split="train"`` (10,000 images) or ``"test"`` (2,000): returns
    ``(X uint8 (N, 28, 28), y int64 (N,), class_names)``. ``split=None`` returns both
    concatenated, train first, as ``(X, y, class_names, split)`` with ``split`` a str array.
    """
    z = _npz("images/fashion_mnist_subset.npz")
    names = [str(s) for s in z["class_names"]]
    if split in ("train", "test"):
        return z[f"X_{split}"], z[f"y_{split}"].astype(np.int64), names
    if split is None:
        X = np.concatenate([z["X_train"], z["X_test"]])
        y = np.concatenate([z["y_train"], z["y_test"]]).astype(np.int64)
        s = np.array(["train"] * len(z["y_train"]) + ["test"] * len(z["y_test"]))
        return X, y, names, s
    raise ValueError(f"split must be 'train', 'test' or None, got {split!r}")


# ----------------------------------------------------------------------------- audio
AUDIO_SETS = {"synthetic": "audio/spoken_words_synth", "asterisk": "audio/spoken_words_asterisk"}
SAMPLE_RATE = 16_000


def load_audio(sources=("synthetic",), padded: bool = False):
    """Spoken words at 16 kHz with word and speaker labels.

    ``sources``: any of ``"synthetic"`` (espeak-ng and flite voices; GPL-free output, see
    data/README.md) and ``"asterisk"`` (real recordings of one speaker, CC-BY-SA-3.0,
    kept in its own file). Returns ``(waves, meta)``:

    * ``padded=False``: ``waves`` is a list of float32 1-D arrays in [-1, 1], one per clip,
      of varying length;
    * ``padded=True``: ``waves`` is float32 (N, T) zero-padded to the longest clip, and
      ``meta["length"]`` holds each clip's length in samples.

    ``meta`` columns: word, speaker, engine, voice, source, split ("train"/"test", by
    speaker), length, licence.
    """
    import pandas as pd

    if isinstance(sources, str):
        sources = (sources,)
    bad = [s for s in sources if s not in AUDIO_SETS]
    if bad:
        raise ValueError(f"unknown audio source(s) {bad}; valid: {', '.join(AUDIO_SETS)}")
    waves: list[np.ndarray] = []
    metas = []
    for s in sources:
        z = _npz(AUDIO_SETS[s] + ".npz")
        m = pd.read_csv(verify(AUDIO_SETS[s] + ".tsv"), sep="\t", keep_default_na=False)
        samples, off = z["samples"], z["offsets"]
        for i in range(len(off) - 1):
            waves.append(samples[off[i]:off[i + 1]].astype(np.float32) / 32768.0)
        metas.append(m)
    meta = pd.concat(metas, ignore_index=True)
    meta["length"] = np.array([w.shape[0] for w in waves], dtype=np.int64)
    if padded:
        T = int(meta["length"].max()) if len(waves) else 0
        out = np.zeros((len(waves), T), dtype=np.float32)
        for i, w in enumerate(waves):
            out[i, : w.shape[0]] = w
        return out, meta
    return waves, meta
