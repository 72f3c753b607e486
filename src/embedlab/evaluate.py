"""Intrinsic evaluation of word vectors, shared by lessons 03-06.

Every function takes an ``embedlab.vectors.WordVectors`` (convert gensim's
``KeyedVectors`` with :func:`as_word_vectors`) and reports how many test items it
could not score because a word is out of the vocabulary (OOV): a model with a small
vocabulary answers fewer, easier questions, so a score means little without its count.

* :func:`analogies`: Google's analogy set (Mikolov et al. 2013), ``a : b :: c : ?``
  by 3CosAdd, overall and split into semantic and syntactic sections;
* :func:`word_similarity`: Spearman correlation between cosine similarities and human
  ratings, e.g. WordSim-353 (Finkelstein et al. 2002) and SimLex-999 (Hill et al. 2015);
* :func:`neighbour_overlap`: how much two models agree on nearest neighbours;
* :func:`evaluate_all` and :func:`compare`: all of the above as one row / one table.

The conventions follow gensim's ``evaluate_word_analogies`` and ``evaluate_word_pairs``
(questions with an OOV word are skipped; the three question words are never answers),
so numbers are comparable with gensim's own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from embedlab import similarity
from embedlab.vectors import WordVectors

__all__ = [
    "AnalogyResult",
    "SimilarityResult",
    "as_word_vectors",
    "analogies",
    "word_similarity",
    "wordsim353",
    "simlex999",
    "neighbour_overlap",
    "evaluate_all",
    "compare",
]


def as_word_vectors(vectors, name: str | None = None) -> WordVectors:
    """Accept ``WordVectors`` as they are, and convert gensim ``KeyedVectors``."""
    if isinstance(vectors, WordVectors):
        return vectors
    if hasattr(vectors, "index_to_key") and hasattr(vectors, "vectors"):
        return WordVectors(list(vectors.index_to_key), vectors.vectors, name=name or "gensim vectors")
    raise TypeError(f"expected embedlab.vectors.WordVectors or gensim KeyedVectors, got {type(vectors).__name__}")


def _rows(wv: WordVectors, words, vocab_size: int) -> np.ndarray:
    """Row of each word, or -1 if the word is missing or outside the first vocab_size rows."""
    rows = np.array([wv.index.get(w, -1) for w in words], dtype=np.int64)
    rows[rows >= vocab_size] = -1
    return rows


# ------------------------------------------------------------------------ analogies


@dataclass(frozen=True)
class AnalogyResult:
    """Analogy accuracy; the accuracies count answered (all-in-vocabulary) questions only."""

    accuracy: float
    semantic: float
    syntactic: float
    n_questions: int
    n_answered: int
    by_section: pd.DataFrame  # section, syntactic, questions, answered, correct, accuracy
    details: pd.DataFrame  # the questions with columns predicted (None if OOV) and correct

    @property
    def n_oov(self) -> int:
        return self.n_questions - self.n_answered

    def __repr__(self) -> str:
        return (f"AnalogyResult(accuracy={self.accuracy:.3f}, semantic={self.semantic:.3f}, "
                f"syntactic={self.syntactic:.3f}, answered={self.n_answered}/{self.n_questions})")


def _accuracy(correct, answered) -> float:
    return float(np.sum(correct) / np.sum(answered)) if np.sum(answered) else float("nan")


def analogies(vectors, questions: pd.DataFrame | None = None, restrict_vocab: int | None = None) -> AnalogyResult:
    """Answer ``a : b :: c : ?`` with the word nearest to ``b - a + c`` (unit vectors).

    ``questions``: a DataFrame with columns a, b, c, d and optionally section and
    syntactic (default: ``embedlab.data.load_analogies()``, 19,544 questions). Only the
    first ``restrict_vocab`` words (most frequent, if the vocabulary is sorted that way)
    are candidates, and a question using any other word counts as OOV (gensim uses
    300,000). The inputs a, b, c are never the answer.
    """
    wv = as_word_vectors(vectors)
    if questions is None:
        from embedlab import data

        questions = data.load_analogies()
    missing = {"a", "b", "c", "d"} - set(questions.columns)
    if missing:
        raise ValueError(f"questions need columns a, b, c, d; missing {sorted(missing)}")
    n_vocab = len(wv) if restrict_vocab is None else min(restrict_vocab, len(wv))
    if n_vocab < 4:
        raise ValueError(f"need at least 4 candidate words, got {n_vocab}")
    rows = np.column_stack([_rows(wv, questions[col].str.lower(), n_vocab) for col in "abcd"])
    answered = (rows >= 0).all(1)
    a, b, c, d = rows[answered].T
    unit = wv.unit_vectors[:n_vocab]
    predicted_rows = np.empty(0, dtype=np.int64)
    if answered.any():
        targets = unit[b] - unit[a] + unit[c]
        exclude = [set(abc) for abc in zip(a.tolist(), b.tolist(), c.tolist())]
        predicted_rows = similarity.top_k(targets, unit, k=1, exclude=exclude, normalized=True)[0][:, 0]

    details = questions.copy()
    details["predicted"] = None
    details.loc[answered, "predicted"] = [wv.words[r] for r in predicted_rows]
    details["correct"] = False
    details.loc[answered, "correct"] = predicted_rows == d
    details["answered"] = answered
    section = details["section"] if "section" in details else pd.Series("all", index=details.index)
    syntactic = details["syntactic"] if "syntactic" in details else pd.Series(False, index=details.index)
    by_section = (
        pd.DataFrame({"section": section, "syntactic": syntactic, "answered": answered, "correct": details["correct"]})
        .groupby("section", sort=False)
        .agg(syntactic=("syntactic", "first"), questions=("answered", "size"), answered=("answered", "sum"),
             correct=("correct", "sum"))
        .reset_index()
    )
    by_section["accuracy"] = by_section["correct"] / by_section["answered"].where(by_section["answered"] > 0)
    syn = syntactic.to_numpy(bool)
    correct = details["correct"].to_numpy(bool)
    return AnalogyResult(
        accuracy=_accuracy(correct, answered),
        semantic=_accuracy(correct[~syn], answered[~syn]),
        syntactic=_accuracy(correct[syn], answered[syn]),
        n_questions=len(details),
        n_answered=int(answered.sum()),
        by_section=by_section,
        details=details,
    )


# ------------------------------------------------------------------ word similarity


@dataclass(frozen=True)
class SimilarityResult:
    """Correlation of cosine similarity with human scores, over in-vocabulary pairs."""

    spearman: float
    pearson: float
    n_pairs: int
    n_used: int

    @property
    def n_oov(self) -> int:
        return self.n_pairs - self.n_used

    def __repr__(self) -> str:
        return f"SimilarityResult(spearman={self.spearman:.3f}, used={self.n_used}/{self.n_pairs})"


def word_similarity(vectors, pairs: pd.DataFrame, restrict_vocab: int | None = None) -> SimilarityResult:
    """Spearman (and Pearson) correlation between cosine similarity and human ``score``.

    ``pairs`` has columns word1, word2, score; pairs with an OOV word are skipped and
    counted (gensim's ``evaluate_word_pairs`` with ``dummy4unknown=False``).
    """
    wv = as_word_vectors(vectors)
    missing = {"word1", "word2", "score"} - set(pairs.columns)
    if missing:
        raise ValueError(f"pairs need columns word1, word2, score; missing {sorted(missing)}")
    n_vocab = len(wv) if restrict_vocab is None else min(restrict_vocab, len(wv))
    r1 = _rows(wv, pairs["word1"].str.lower(), n_vocab)
    r2 = _rows(wv, pairs["word2"].str.lower(), n_vocab)
    used = (r1 >= 0) & (r2 >= 0)
    if used.sum() < 3:
        nan = float("nan")
        return SimilarityResult(nan, nan, len(pairs), int(used.sum()))
    unit = wv.unit_vectors
    cosines = (unit[r1[used]] * unit[r2[used]]).sum(1)
    human = pairs["score"].to_numpy(float)[used]
    return SimilarityResult(
        spearman=float(stats.spearmanr(cosines, human).statistic),
        pearson=float(stats.pearsonr(cosines, human).statistic),
        n_pairs=len(pairs),
        n_used=int(used.sum()),
    )


def wordsim353(vectors, restrict_vocab: int | None = None) -> SimilarityResult:
    """WordSim-353 (relatedness: "cup" and "coffee" score high)."""
    from embedlab import data

    return word_similarity(vectors, data.load_wordsim353(), restrict_vocab)


def simlex999(vectors, restrict_vocab: int | None = None) -> SimilarityResult:
    """SimLex-999 (similarity proper: "cup" and "coffee" score low)."""
    from embedlab import data

    return word_similarity(vectors, data.load_simlex999(), restrict_vocab)


# ---------------------------------------------------------------- neighbour overlap


def neighbour_overlap(vectors_a, vectors_b, words: Sequence[str] | None = None, k: int = 10) -> float:
    """Mean fraction of shared words among the ``k`` nearest neighbours in two models.

    ``words`` defaults to the 1,000 most frequent words of ``vectors_a`` that
    ``vectors_b`` also knows. Neighbours are searched among the words both models know,
    so a word only one model has cannot count against the other. 1.0: identical lists.
    """
    wv_a, wv_b = as_word_vectors(vectors_a), as_word_vectors(vectors_b)
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    shared = [w for w in wv_a.words if w in wv_b.index]
    if len(shared) <= k:
        raise ValueError(f"the two models share only {len(shared)} words; need more than k={k}")
    if words is None:
        words = shared[:1000]
    unknown = [w for w in words if w not in wv_a.index or w not in wv_b.index]
    if unknown:
        raise KeyError(f"{len(unknown)} query words are not in both models, e.g. {unknown[:5]}")
    position = {w: i for i, w in enumerate(shared)}
    queries = [position[w] for w in words]
    neighbours = []
    for wv in (wv_a, wv_b):
        unit = wv.unit_vectors[[wv.index[w] for w in shared]]
        rows, _ = similarity.top_k(unit[queries], unit, k=k, exclude=[{q} for q in queries], normalized=True)
        neighbours.append(rows)
    overlaps = [len(set(x) & set(y)) / k for x, y in zip(*neighbours)]
    return float(np.mean(overlaps))


# ------------------------------------------------------------------------- summary


def evaluate_all(vectors, restrict_vocab: int | None = None) -> dict[str, float]:
    """Analogies, WordSim-353 and SimLex-999 as one flat dict (one row of a table)."""
    analogy = analogies(vectors, restrict_vocab=restrict_vocab)
    ws, sl = wordsim353(vectors, restrict_vocab), simlex999(vectors, restrict_vocab)
    return {
        "analogy": analogy.accuracy,
        "analogy_semantic": analogy.semantic,
        "analogy_syntactic": analogy.syntactic,
        "analogy_answered": analogy.n_answered,
        "analogy_oov": analogy.n_oov,
        "wordsim353": ws.spearman,
        "wordsim353_oov": ws.n_oov,
        "simlex999": sl.spearman,
        "simlex999_oov": sl.n_oov,
    }


def compare(models: Mapping[str, object], restrict_vocab: int | None = None) -> pd.DataFrame:
    """Side-by-side quality table: one row per named model, columns of :func:`evaluate_all`.

    Each model is scored on its own vocabulary: ``compare`` does not align them. To compare
    models on the same questions, cut them to the words they share first (lesson 04 does);
    check the ``analogy_answered`` column.
    """
    if not models:
        raise ValueError("give at least one model, e.g. compare({'ours': wv})")
    rows = {name: evaluate_all(wv, restrict_vocab) for name, wv in models.items()}
    return pd.DataFrame.from_dict(rows, orient="index")
