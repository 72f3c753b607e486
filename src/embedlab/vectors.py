"""A table of word vectors with the look-ups every word-embedding lesson needs."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from embedlab import similarity

__all__ = ["WordVectors"]


class WordVectors:
    """Words and their vectors: ``wv["king"]``, ``wv.most_similar("frog")``, ``wv.analogy(...)``.

    Plays the role of gensim's ``KeyedVectors`` for the course's own models, so every
    lesson evaluates its vectors with the same code (``embedlab.evaluate``).
    """

    def __init__(self, words: Sequence[str], vectors, name: str = "vectors"):
        vectors = np.asarray(vectors)
        if vectors.ndim != 2:
            raise ValueError(f"vectors must have shape (n_words, dim), got shape {vectors.shape}")
        if len(words) != len(vectors):
            raise ValueError(f"got {len(words)} words but {len(vectors)} vectors")
        self.words = list(words)
        self.vectors = vectors
        self.name = name
        self.index = {w: i for i, w in enumerate(self.words)}
        if len(self.index) != len(self.words):
            raise ValueError("words must be unique")
        self._unit = None

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        return word in self.index

    def __getitem__(self, word: str) -> np.ndarray:
        return self.vectors[self._row(word)]

    def __repr__(self) -> str:
        return f"WordVectors({self.name!r}, {len(self)} words x {self.dim} dims)"

    @property
    def dim(self) -> int:
        return self.vectors.shape[1]

    @property
    def unit_vectors(self) -> np.ndarray:
        """Rows scaled to unit length (computed once; zero rows stay zero)."""
        if self._unit is None:
            v = np.asarray(self.vectors, dtype=np.float32)
            norms = np.linalg.norm(v, axis=1, keepdims=True)
            self._unit = v / np.where(norms == 0, 1, norms)
        return self._unit

    def _row(self, word: str) -> int:
        try:
            return self.index[word]
        except KeyError:
            raise KeyError(f"{word!r} is not in the vocabulary of {self.name} ({len(self)} words)") from None

    def save(self, path, dtype=np.float16) -> str:
        """Write words and vectors to a compressed ``.npz`` (float16 by default: half the
        size, and cosine similarities change by about 1e-4); returns the file's sha256."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as f:  # a file object: no name-dependent zip metadata
            np.savez_compressed(f, words=np.asarray(self.words), vectors=np.asarray(self.vectors, dtype=dtype))
        return hashlib.sha256(path.read_bytes()).hexdigest()

    @classmethod
    def load(cls, path, name: str | None = None, rebuild: str = "") -> WordVectors:
        """Read a file written by :meth:`save`, as float32; ``rebuild`` is the command
        named in the error when the file is missing."""
        path = Path(path)
        if not path.exists():
            hint = f"; rebuild it with: {rebuild}" if rebuild else ""
            raise FileNotFoundError(f"{path} not found{hint}")
        with np.load(path) as f:
            return cls(f["words"].tolist(), f["vectors"].astype(np.float32), name=name or path.stem)

    def similarity(self, word1: str, word2: str) -> float:
        """Cosine similarity of two words."""
        return similarity.cosine(self[word1], self[word2])

    def most_similar(self, query, k: int = 10, exclude: Sequence[str] = ()) -> list[tuple[str, float]]:
        """The ``k`` nearest words by cosine to a word (itself excluded) or to a vector."""
        excluded = {self._row(w) for w in exclude}
        if isinstance(query, str):
            excluded.add(self._row(query))
            query = self[query]
        rows, scores = similarity.top_k(query, self.unit_vectors, k, exclude=excluded, normalized=True)
        return [(self.words[r], float(s)) for r, s in zip(rows, scores)]

    def analogy(self, a: str, b: str, c: str, k: int = 1) -> list[tuple[str, float]]:
        """``a`` is to ``b`` as ``c`` is to ... ? The words nearest to ``b - a + c``.

        Uses unit vectors (3CosAdd, Mikolov et al. 2013) and excludes the three inputs,
        as gensim and the original word2vec evaluation do.
        """
        u = self.unit_vectors
        target = u[self._row(b)] - u[self._row(a)] + u[self._row(c)]
        return self.most_similar(target, k=k, exclude=(a, b, c))
