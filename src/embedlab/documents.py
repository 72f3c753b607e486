"""Document embeddings (lesson 06): bag of words, TF-IDF, averaged word vectors, SIF, Doc2Vec.

Every method turns a list of documents into a matrix with one row per document, and
:func:`evaluate_embeddings` scores any such matrix (or any function that makes one) on the
same splits: classification, retrieval, clustering and time to embed.

Conventions shared by every function here:

* A *document* is a string (tokenised with :func:`tokenize`, the corpus' own rules) or an
  already tokenised list of strings. A bare string where a list of documents is expected
  raises ``TypeError`` (iterating over it would give characters).
* **Empty documents and unknown words.** Words missing from a vocabulary are skipped. A
  document left with no known word gets an **all-zero row** (scikit-learn does the same for
  TF-IDF); pass ``empty="raise"`` to get a ``ValueError`` naming those documents instead.
  :func:`evaluate_embeddings` treats a zero row as similar to nothing.
* Anything random takes a ``seed``; gensim runs with ``workers=1``, so two runs give the
  same vectors.

Comparing another embedding with these (lesson 07 does), on the same documents and splits::

    texts, labels = documents.labelled_documents("chatterbot")
    documents.evaluate_embeddings({
        "TF-IDF": lambda docs: documents.Tfidf().fit_transform(docs),
        "PV-DBOW": lambda docs: documents.doc2vec_vectors(docs, dm=False, epochs=40),
        "MiniLM": lambda docs: model.encode(docs),   # any function: list of texts -> (n, dim)
    }, texts, labels)
"""

from __future__ import annotations

import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
from scipy import sparse

from embedlab.text import tokenize as _corpus_tokenize

__all__ = [
    "tokenize",
    "tokenize_all",
    "labelled_documents",
    "Tfidf",
    "average_word_vectors",
    "sif_weights",
    "remove_common_components",
    "SIF",
    "train_doc2vec",
    "doc2vec_vectors",
    "infer_vectors",
    "inference_spread",
    "near_duplicate_groups",
    "precision_at_k",
    "evaluate_embeddings",
]

Document = str | Sequence[str]


# ----------------------------------------------------------------------------- tokens
def tokenize(text: str) -> list[str]:
    """Lower-case word tokens with the corpus' normalisation (``embedlab.data``'s rules).

    Accents are stripped, apostrophes unified, and only runs of letters (with one inner
    apostrophe, ``don't``) are kept: digits and punctuation separate words and vanish.
    So documents use the same vocabulary as the course's word vectors.
    """
    if not isinstance(text, str):
        raise TypeError(f"tokenize expects a string, got {type(text).__name__}")
    return _corpus_tokenize(text)


def tokenize_all(documents: Iterable[Document]) -> list[list[str]]:
    """Tokenise every document; documents that are already token lists pass through."""
    if isinstance(documents, str):
        raise TypeError("expected a list of documents, got a single string; wrap it in a list")
    return [tokenize(d) if isinstance(d, str) else list(d) for d in documents]


def _check_empty(tokens: list[list[str]], known: Callable[[str], bool], empty: str, what: str) -> None:
    if empty not in ("zero", "raise"):
        raise ValueError(f"empty must be 'zero' or 'raise', got {empty!r}")
    if empty == "raise":
        bad = [i for i, doc in enumerate(tokens) if not any(known(w) for w in doc)]
        if bad:
            raise ValueError(f"documents {bad[:10]}{'...' if len(bad) > 10 else ''} have no word in the "
                             f"{what}, so they have no vector; drop them or use empty='zero' for zero rows")


# ----------------------------------------------------------------------------- data
def labelled_documents(name: str = "chatterbot", min_per_class: int = 20, max_per_class: int | None = None,
                       seed: int = 0) -> tuple[list[str], np.ndarray]:
    """The course's labelled document sets, cleaned for a fair comparison: ``(texts, labels)``.

    * ``"chatterbot"``: question plus answers, labelled by category. Exact duplicate texts
      are dropped (about half the set; they would leak between folds), as are
      categories with fewer than ``min_per_class`` documents. Short texts (~15 words).
    * ``"spam"``: e-mail bodies labelled ``easy_ham``, ``hard_ham`` or ``spam``; empty
      bodies and duplicates are dropped. Long texts (hundreds of words).
    * ``"sotu"``: State of the Union addresses labelled by era (``1790-1860``,
      ``1861-1932``, ``1933-1980``, ``1981-2021``). 233 very long texts: too few documents
      for Doc2Vec to learn much.

    ``max_per_class`` keeps a seeded random sample of that many per class (for time
    budgets). Order: by label, then by the data set's own order.
    """
    from embedlab import data

    df = data.load_documents(name)
    if name == "chatterbot":
        df = df.assign(label=df["category"])
    elif name == "spam":
        df = df[df["text"].str.strip() != ""].assign(label=df["group"])
    else:
        eras = np.array(["1790-1860", "1861-1932", "1933-1980", "1981-2021"])
        df = df.assign(label=eras[np.searchsorted([1861, 1933, 1981], df["year"].to_numpy(), side="right")])
    df = df.drop_duplicates("text")
    sizes = df["label"].value_counts()
    df = df[df["label"].isin(sizes[sizes >= min_per_class].index)]
    if max_per_class is not None:
        shuffled = df.sample(frac=1.0, random_state=seed)
        df = shuffled[shuffled.groupby("label").cumcount() < max_per_class].sort_index()
    df = df.sort_values("label", kind="stable")
    return df["text"].tolist(), df["label"].to_numpy()


# ----------------------------------------------------------------------------- TF-IDF
class Tfidf:
    """TF-IDF written out, equal to scikit-learn's ``TfidfVectorizer`` to 1e-9.

    For a term ``t`` in document ``d`` of a collection of ``n`` documents, with ``df(t)``
    the number of documents containing ``t``::

        tf(t, d)  = count of t in d              (1 + ln count if sublinear_tf)
        idf(t)    = ln((1 + n) / (1 + df(t))) + 1 (smooth_idf=True, the default)
                  = ln(n / df(t)) + 1             (smooth_idf=False)
        x(t, d)   = tf(t, d) * idf(t), then each row scaled to unit norm ("l2", "l1") or not (None)

    It matches ``TfidfVectorizer(analyzer=tokenize, smooth_idf=..., sublinear_tf=...,
    norm=..., min_df=...)`` with the same four options (``min_df`` as an integer count
    of documents), including the alphabetical column order. Words not seen by ``fit``
    are ignored by ``transform``; a document with no known word is a zero row.
    """

    def __init__(self, smooth_idf: bool = True, sublinear_tf: bool = False, norm: str | None = "l2",
                 min_df: int = 1):
        if norm not in ("l2", "l1", None):
            raise ValueError(f"norm must be 'l2', 'l1' or None, got {norm!r}")
        if not isinstance(min_df, (int, np.integer)) or min_df < 1:
            raise ValueError(f"min_df must be a positive integer (a number of documents), got {min_df!r}")
        self.smooth_idf, self.sublinear_tf, self.norm, self.min_df = smooth_idf, sublinear_tf, norm, min_df
        self.vocabulary: list[str] | None = None

    def fit(self, documents: Iterable[Document]) -> Tfidf:
        tokens = tokenize_all(documents)
        if not tokens:
            raise ValueError("cannot fit TF-IDF on zero documents")
        df = Counter(w for doc in tokens for w in set(doc))
        self.vocabulary = sorted(w for w, c in df.items() if c >= self.min_df)
        if not self.vocabulary:
            raise ValueError(f"empty vocabulary: no word occurs in at least min_df={self.min_df} of the "
                             f"{len(tokens)} documents (are they all empty?)")
        self.index = {w: i for i, w in enumerate(self.vocabulary)}
        n, doc_freq = len(tokens), np.array([df[w] for w in self.vocabulary], dtype=np.float64)
        smooth = int(self.smooth_idf)
        self.idf = np.log((n + smooth) / (doc_freq + smooth)) + 1.0
        return self

    def counts(self, documents: Iterable[Document]) -> sparse.csr_matrix:
        """The bag of words: ``(n_docs, n_words)`` term counts over the fitted vocabulary."""
        self._check_fitted()
        indptr, indices, values = [0], [], []
        for doc in tokenize_all(documents):
            c = Counter(self.index[w] for w in doc if w in self.index)
            indices.extend(c.keys())
            values.extend(c.values())
            indptr.append(len(indices))
        X = sparse.csr_matrix((np.array(values, dtype=np.float64), indices, indptr),
                              shape=(len(indptr) - 1, len(self.vocabulary)))
        X.sort_indices()
        return X

    def transform(self, documents: Iterable[Document], empty: str = "zero") -> sparse.csr_matrix:
        tokens = tokenize_all(documents)
        self._check_fitted()
        _check_empty(tokens, self.index.__contains__, empty, "TF-IDF vocabulary")
        X = self.counts(tokens)
        if self.sublinear_tf:
            X.data = 1.0 + np.log(X.data)
        X = X @ sparse.diags(self.idf)
        if self.norm is not None:
            p = 2 if self.norm == "l2" else 1
            norms = np.asarray(abs(X).power(p).sum(axis=1)).ravel() ** (1 / p)
            X = sparse.diags(1.0 / np.where(norms == 0, 1.0, norms)) @ X  # zero rows stay zero
        return sparse.csr_matrix(X)

    def fit_transform(self, documents: Iterable[Document], empty: str = "zero") -> sparse.csr_matrix:
        tokens = tokenize_all(documents)
        return self.fit(tokens).transform(tokens, empty=empty)

    def _check_fitted(self) -> None:
        if self.vocabulary is None:
            raise ValueError("this Tfidf is not fitted yet; call fit(documents) first")


# ----------------------------------------------------------------------------- averaged word vectors
def average_word_vectors(documents: Iterable[Document], word_vectors, weights: Mapping[str, float] | None = None,
                         empty: str = "zero") -> np.ndarray:
    """Mean of each document's word vectors, optionally weighted: ``(n_docs, dim)`` float64.

    ``word_vectors`` is a ``WordVectors`` (or anything with ``.index`` and ``.vectors``).
    Row ``d`` is ``(1/|d|) sum_w weight(w) v_w`` over the ``|d|`` tokens of ``d`` that are
    in the vocabulary (repeats count; weight 1 when ``weights`` is None or lacks the word).
    Unknown words are skipped; a document with no known word is a zero row, or raises
    ``ValueError`` with ``empty="raise"``.
    """
    tokens = tokenize_all(documents)
    index = word_vectors.index
    _check_empty(tokens, index.__contains__, empty, f"vocabulary of {getattr(word_vectors, 'name', 'the vectors')}")
    # A sparse (documents x used words) weight matrix times the used rows: one matrix product.
    used: dict[int, int] = {}
    rows, cols, vals = [], [], []
    for d, doc in enumerate(tokens):
        known = [w for w in doc if w in index]
        for w in known:
            rows.append(d)
            cols.append(used.setdefault(index[w], len(used)))
            vals.append((1.0 if weights is None else weights.get(w, 1.0)) / len(known))
    W = sparse.csr_matrix((vals, (rows, cols)), shape=(len(tokens), len(used)))  # duplicates are summed
    V = np.asarray(word_vectors.vectors)[np.fromiter(used, dtype=np.int64, count=len(used))].astype(np.float64)
    return np.asarray(W @ V)


def sif_weights(word_counts, a: float = 1e-3) -> dict[str, float]:
    """Smooth inverse frequency weights ``a / (a + p(w))`` (Arora, Liang & Ma 2017).

    ``word_counts`` maps word -> count (a ``Counter``, a dict, or an ``embedlab.data.Corpus``
    with ``.words`` and ``.counts``); ``p(w)`` is the count over the total. Frequent words
    ("the", p ~ 0.05) get weight ~0.02, rare words ~1. Words absent from the counts get 1.
    """
    if a <= 0:
        raise ValueError(f"a must be positive, got {a!r}")
    if hasattr(word_counts, "words") and hasattr(word_counts, "counts"):
        word_counts = dict(zip(word_counts.words, np.asarray(word_counts.counts).tolist()))
    total = float(sum(word_counts.values()))
    if total <= 0:
        raise ValueError("word_counts is empty: cannot estimate word probabilities")
    return {w: a / (a + c / total) for w, c in word_counts.items()}


def remove_common_components(X, n_components: int = 1, components: np.ndarray | None = None):
    """Subtract the projection of every row on the top right singular vectors of ``X``.

    Returns ``(X - X u u^T, u)`` with ``u`` of shape ``(n_components, dim)``. As in Arora et
    al.'s code, ``X`` is **not** centred first: the first singular vector is the direction
    all documents share (mostly frequent, meaning-poor words). Pass ``components`` (from
    a previous call) to remove the same directions from new rows.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n_docs, dim), got {X.shape}")
    if components is None:
        if not 1 <= n_components <= min(X.shape):
            raise ValueError(f"n_components must be between 1 and {min(X.shape)}, got {n_components}")
        # A thin SVD of an (n_docs, dim) matrix is quick on one thread; two threads on a busy
        # machine can make it ten times slower.
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):
            components = np.linalg.svd(X, full_matrices=False)[2][:n_components]
    components = np.atleast_2d(components)
    return X - (X @ components.T) @ components, components


class SIF:
    """Smooth inverse frequency sentence embeddings (Arora, Liang & Ma 2017).

    1. Weighted average: ``v_d = (1/|d|) sum_w a / (a + p(w)) v_w`` (:func:`sif_weights`).
    2. Common-component removal: ``v_d <- v_d - u u^T v_d`` with ``u`` the first singular
       vector of the matrix of ``v_d`` over the documents given to ``fit``.

    ``word_counts`` (for ``p(w)``) defaults to the counts of the documents given to ``fit``;
    a large general corpus (``embedlab.data.load_corpus("small")``) estimates them better.
    """

    def __init__(self, word_vectors, word_counts=None, a: float = 1e-3, n_components: int = 1):
        self.word_vectors, self.word_counts, self.a, self.n_components = word_vectors, word_counts, a, n_components
        self.components: np.ndarray | None = None

    def fit(self, documents: Iterable[Document]) -> SIF:
        self.fit_transform(documents)
        return self

    def fit_transform(self, documents: Iterable[Document], empty: str = "zero") -> np.ndarray:
        tokens = tokenize_all(documents)
        counts = self.word_counts if self.word_counts is not None else Counter(w for d in tokens for w in d)
        self.weights = sif_weights(counts, self.a)
        X = average_word_vectors(tokens, self.word_vectors, self.weights, empty=empty)
        if self.n_components:
            X, self.components = remove_common_components(X, self.n_components)
        return X

    def transform(self, documents: Iterable[Document], empty: str = "zero") -> np.ndarray:
        """Weighted averages of new documents, minus the components found by ``fit``."""
        if not hasattr(self, "weights"):
            raise ValueError("this SIF is not fitted yet; call fit(documents) first")
        X = average_word_vectors(documents, self.word_vectors, self.weights, empty=empty)
        return remove_common_components(X, components=self.components)[0] if self.n_components else X


# ----------------------------------------------------------------------------- Doc2Vec
def train_doc2vec(documents: Iterable[Document], dm: bool = True, vector_size: int = 50, window: int = 5,
                  min_count: int = 2, epochs: int = 20, negative: int = 5, seed: int = 0, **gensim_options):
    """Train gensim's ``Doc2Vec`` (Le & Mikolov 2014), deterministically, on ``documents``.

    ``dm=True``: PV-DM, the **mean** of the paragraph vector and the context word vectors (on
    both sides of the centre word) predicts the centre word. gensim 4.4 always averages here:
    ``Word2Vec.__init__`` resets ``cbow_mean`` to its own default 1 after ``Doc2Vec`` has set it
    from ``dm_mean``, so ``dm_mean=0`` is silently ignored; pass ``cbow_mean=0`` to sum.
    ``dm=False``: PV-DBOW, the paragraph vector alone predicts the document's words (word
    vectors are not trained unless ``dbow_words=1``). Document
    ``i`` gets tag ``i``, so ``model.dv.vectors[i]`` is its vector (:func:`doc2vec_vectors`).
    One worker thread and a fixed seed make two runs identical.
    """
    from gensim.models.doc2vec import Doc2Vec, TaggedDocument

    tokens = tokenize_all(documents)
    if not any(tokens):
        raise ValueError("cannot train Doc2Vec: every document is empty")
    tagged = [TaggedDocument(doc, [i]) for i, doc in enumerate(tokens)]
    return Doc2Vec(tagged, dm=int(dm), vector_size=vector_size, window=window, min_count=min_count,
                   epochs=epochs, negative=negative, hs=0, seed=seed, workers=1, **gensim_options)


def doc2vec_vectors(documents: Iterable[Document], dm: bool = True, empty: str = "zero", **options) -> np.ndarray:
    """Train Doc2Vec on ``documents`` and return their learned paragraph vectors, ``(n_docs, dim)``.

    A callable for :func:`evaluate_embeddings`: the training *is* the embedding, so its time
    counts as the time to embed. A document with no word left after ``min_count`` was never
    trained (its vector is random noise), so it gets a zero row (or a ``ValueError`` with
    ``empty="raise"``).
    """
    tokens = tokenize_all(documents)
    model = train_doc2vec(tokens, dm=dm, **options)
    return _zero_untrained(np.asarray(model.dv.vectors, dtype=np.float64), tokens, model, empty)


def _zero_untrained(X: np.ndarray, tokens: list[list[str]], model, empty: str) -> np.ndarray:
    known = model.wv.key_to_index
    _check_empty(tokens, known.__contains__, empty, "Doc2Vec vocabulary")
    X[[i for i, doc in enumerate(tokens) if not any(w in known for w in doc)]] = 0.0
    return X


def infer_vectors(model, documents: Iterable[Document], epochs: int | None = None, seed: int = 0,
                  alpha: float | None = None, min_alpha: float | None = None, empty: str = "zero") -> np.ndarray:
    """Paragraph vectors for new documents, with the model frozen: ``(n_docs, dim)``.

    The same gradient steps as gensim's ``model.infer_vector`` (and the same defaults:
    the model's ``epochs`` and learning rates), but repeatable: gensim seeds each start
    vector with Python's salted ``hash`` of the text and draws negative samples from the
    model's shared random state, so its answers change from call to call and from process
    to process. Here the start vectors come from ``seed`` and the sampler is reseeded, so
    the same ``seed`` gives the same vectors and different seeds show the run-to-run spread.
    Unknown words are skipped; a document with no known word gets a zero row (gensim would
    return its random start vector), or a ``ValueError`` with ``empty="raise"``.
    """
    from gensim.models.doc2vec_inner import train_document_dbow, train_document_dm, train_document_dm_concat

    tokens = tokenize_all(documents)
    epochs = model.epochs if epochs is None else epochs
    alpha = model.alpha if alpha is None else alpha
    min_alpha = model.min_alpha if min_alpha is None else min_alpha
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}")
    size = model.dv.vector_size
    rng = np.random.default_rng(seed)
    start = ((rng.random((len(tokens), size)) - 0.5) / size).astype(np.float32)  # gensim's start scale
    saved_random, model.random = model.random, np.random.RandomState(seed)
    work = np.zeros(model.layer1_size, dtype=np.float32)
    neu1 = np.zeros(model.layer1_size, dtype=np.float32)
    lockf = np.ones(1, dtype=np.float32)
    step = (alpha - min_alpha) / max(epochs - 1, 1)
    try:
        for d, words in enumerate(tokens):
            vec = start[d : d + 1].copy()
            rate = alpha
            for _ in range(epochs):
                if model.sg:  # gensim's name for PV-DBOW
                    train_document_dbow(model, words, [0], rate, work, learn_words=False, learn_hidden=False,
                                        doctag_vectors=vec, doctags_lockf=lockf)
                else:
                    train = train_document_dm_concat if model.dm_concat else train_document_dm
                    train(model, words, [0], rate, work, neu1, learn_words=False, learn_hidden=False,
                          doctag_vectors=vec, doctags_lockf=lockf)
                rate -= step
            start[d] = vec[0]
    finally:
        model.random = saved_random
    return _zero_untrained(start.astype(np.float64), tokens, model, empty)


def inference_spread(model, documents: Iterable[Document], epochs: Sequence[int] = (5, 20, 100), runs: int = 5,
                     seed: int = 0):
    """How much ``infer_vectors`` varies between runs, for each number of inference epochs.

    Infers every document ``runs`` times (seeds ``seed .. seed+runs-1``) and returns a
    DataFrame with one row per ``epochs`` value:

    * ``cosine_between_runs``: mean cosine between two runs' vectors of the same document;
    * ``spread``: mean squared distance of the unit vectors to their mean,
      ``1 - |mean unit vector|^2`` (0 when every run agrees, ~1 for random directions).

    Documents with no word in the model's vocabulary are left out (they have no vector).
    """
    import pandas as pd

    if runs < 2:
        raise ValueError(f"need at least 2 runs to measure a spread, got {runs}")
    known = model.wv.key_to_index
    tokens = [doc for doc in tokenize_all(documents) if any(w in known for w in doc)]
    rows = []
    for e in epochs:
        U = np.stack([_unit_rows(infer_vectors(model, tokens, epochs=e, seed=seed + r)) for r in range(runs)], 1)
        mean = U.mean(axis=1)  # (n_docs, dim)
        pair_sum = (np.linalg.norm(U.sum(axis=1), axis=1) ** 2 - runs) / (runs * (runs - 1))
        rows.append({"epochs": e, "cosine_between_runs": float(pair_sum.mean()),
                     "spread": float((1 - (mean * mean).sum(axis=1)).mean())})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- evaluation
def _unit_rows(X):
    """Rows scaled to unit L2 norm; zero rows stay zero (they are similar to nothing)."""
    if sparse.issparse(X):
        norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
        return sparse.csr_matrix(sparse.diags(1.0 / np.where(norms == 0, 1.0, norms)) @ X)
    X = np.asarray(X, dtype=np.float64)
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return X / np.where(norms == 0, 1.0, norms)


def precision_at_k(X, labels, k: int = 10, block: int = 512, groups=None) -> float:
    """Mean fraction of each document's ``k`` cosine-nearest other documents with its label.

    With ``groups`` (one id per document, e.g. :func:`near_duplicate_groups`), documents of
    the query's own group are not candidates: a near-copy of the query would be an easy hit.
    """
    labels = np.asarray(labels)
    if k >= len(labels):
        raise ValueError(f"k={k} needs more than {k} documents, got {len(labels)}")
    if groups is not None:
        groups = np.asarray(groups)
        if len(groups) != len(labels):
            raise ValueError(f"got {len(groups)} groups for {len(labels)} documents")
        if (len(labels) - np.unique(groups, return_counts=True)[1].max()) < k:
            raise ValueError(f"k={k}: some document has fewer than {k} documents outside its group")
    U = _unit_rows(X)
    hits = []
    for start in range(0, len(labels), block):
        S = U[start : start + block] @ U.T
        S = S.toarray() if sparse.issparse(S) else np.asarray(S)
        S[np.arange(len(S)), np.arange(start, start + len(S))] = -np.inf  # not itself
        if groups is not None:
            S[groups[start : start + len(S), None] == groups[None, :]] = -np.inf  # nor its near-copies
        best = np.argpartition(-S, k, axis=1)[:, :k]
        hits.append((labels[best] == labels[start : start + len(S), None]).mean(axis=1))
    return float(np.concatenate(hits).mean())


def near_duplicate_groups(documents: Sequence[Document], threshold: float = 0.8, keys: Sequence | None = None
                          ) -> np.ndarray:
    """Group ids that put near-duplicate documents together, for grouped cross-validation.

    Two documents share a group if their TF-IDF cosine (:class:`Tfidf` fitted on these
    documents) is at least ``threshold``, or if they have equal ``keys`` (optional, one per
    document: e.g. the normalised question of a question-answer pair), or through a chain of
    such links (connected components). Returns ``(n_docs,)`` integer ids ``0..n_groups-1``,
    numbered by first appearance. Splitting by these groups keeps a document and its
    near-copy on the same side of every train/test split.
    """
    from scipy.sparse.csgraph import connected_components

    tokens = tokenize_all(documents)
    n = len(tokens)
    if keys is not None and len(keys) != n:
        raise ValueError(f"got {len(keys)} keys for {n} documents")
    X = Tfidf().fit_transform(tokens)
    S = sparse.triu(X @ X.T, k=1).tocoo()
    close = S.data >= threshold
    rows, cols = list(S.row[close]), list(S.col[close])
    if keys is not None:
        first: dict = {}
        for i, key in enumerate(keys):
            j = first.setdefault(key, i)
            if j != i:
                rows.append(j)
                cols.append(i)
    graph = sparse.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    _, ids = np.unique(component, return_inverse=True)
    order = {g: i for i, g in enumerate(dict.fromkeys(ids.tolist()))}  # number by first appearance
    return np.array([order[g] for g in ids.tolist()], dtype=np.int64)


def _as_matrix(X, n: int, name: str):
    if not sparse.issparse(X):
        X = np.asarray(X, dtype=np.float64)
        if not np.all(np.isfinite(X)):
            raise ValueError(f"embedding {name!r} contains NaN or infinite values")
    if X.ndim != 2 or X.shape[0] != n:
        raise ValueError(f"embedding {name!r} must have shape (n_docs={n}, dim), got {X.shape}")
    return X


def evaluate_embeddings(methods, documents: Sequence[Document], labels, n_splits: int = 5, k: int = 10,
                        seed: int = 0, n_init: int = 10, *, groups=None, Cs: Sequence[float] | None = None,
                        inner_splits: int = 3, baselines: bool = False):
    """Score document embeddings on the same splits; one row per method (a DataFrame).

    ``methods`` maps a name to either

    * a matrix (``numpy`` array or ``scipy.sparse``) of shape ``(n_docs, dim)``, row ``i``
      embedding ``documents[i]``; or
    * a callable ``embed(documents) -> matrix``, called once on the whole list (whatever
      ``documents`` holds: strings for a sentence-transformer, say); its wall time is the
      time to embed.

    A single matrix or callable is accepted too (named ``"embedding"``). Columns:

    * ``accuracy``, ``macro_f1`` (and ``accuracy_std``, ``macro_f1_std``, their standard
      deviation over the outer folds): logistic regression, ``n_splits``-fold stratified CV
      (shuffled with ``seed``: the same folds for every method). Dense features are
      standardised first; sparse ones (TF-IDF) are used as they are.

      - ``groups`` (one id per document, e.g. :func:`near_duplicate_groups`): the folds are
        ``StratifiedGroupKFold``, so no group is split between training and test.
      - ``Cs`` (a grid of inverse regularisation strengths): **nested CV**. In each outer
        fold, ``C`` is chosen by macro-F1 in an ``inner_splits``-fold (grouped, if ``groups``)
        CV on that fold's training part only, then refitted there and scored on the test
        part. Every method gets the same grid. Column ``C`` lists the chosen values.
        Without ``Cs``, every method uses ``C = 1`` (scikit-learn's default), which suits
        standardised dense features but over-regularises unit-length sparse rows.
    * ``precision_at_k``: for each document, the share of its ``k`` cosine-nearest other
      documents with the same label, averaged (:func:`precision_at_k`; with ``groups``, the
      document's own group is excluded from its neighbours).
    * ``ari``: adjusted Rand index of k-means (as many clusters as labels, ``n_init``
      starts, ``seed``) on unit-length rows, against the labels.
    * ``embed_s_per_1k``: seconds to embed 1,000 documents (NaN for a given matrix).

    ``baselines=True`` adds two rows: ``majority class`` (always predicts the largest
    label, scored on the same folds) and ``chance`` (the expected scores of guessing a label
    at random with the label frequencies: accuracy sum p^2, macro-F1 1/n_labels; random
    neighbours for precision@k; ARI 0 by construction).

    Embedders are unsupervised and see every document (no labels); only the classifier's
    folds hold documents out. Zero rows (empty documents) are kept and match nothing.
    """
    import pandas as pd
    from sklearn.cluster import KMeans
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
    from sklearn.metrics import accuracy_score, adjusted_rand_score, f1_score, make_scorer
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    if isinstance(documents, str):
        raise TypeError("documents must be a list of documents, got a single string")
    labels = np.asarray(labels)
    n = len(labels)
    if len(documents) != n:
        raise ValueError(f"got {len(documents)} documents but {n} labels")
    if groups is not None:
        groups = np.asarray(groups)
        if len(groups) != n:
            raise ValueError(f"got {len(groups)} groups for {n} documents")
    if Cs is not None and (len(Cs) == 0 or min(Cs) <= 0):
        raise ValueError(f"Cs must be a non-empty list of positive numbers, got {Cs!r}")
    if not isinstance(methods, Mapping):
        methods = {"embedding": methods}
    if groups is None:
        outer = list(StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed).split(np.zeros(n), labels))
    else:
        outer = list(StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
                     .split(np.zeros(n), labels, groups))

    def cross_validated(make_classifier, X, tune=True):
        """Outer-fold accuracy and macro-F1 (and the chosen C per fold, when tuning)."""
        tune = tune and Cs is not None
        accuracy, macro_f1, chosen = [], [], []
        for train, test in outer:
            if tune:
                inner_labels = labels[train]
                if groups is None:
                    inner = StratifiedKFold(inner_splits, shuffle=True, random_state=seed).split(
                        np.zeros(len(train)), inner_labels)
                else:
                    inner = StratifiedGroupKFold(inner_splits, shuffle=True, random_state=seed).split(
                        np.zeros(len(train)), inner_labels, groups[train])
                classifier = make_classifier(list(inner))
            else:
                classifier = make_classifier(None)
            classifier.fit(X[train], labels[train])
            predicted = classifier.predict(X[test])
            accuracy.append(accuracy_score(labels[test], predicted))
            macro_f1.append(f1_score(labels[test], predicted, average="macro", zero_division=0.0))
            if tune:
                chosen.append(float(np.ravel(classifier[-1].C_)[0]))
        return np.array(accuracy), np.array(macro_f1), chosen

    def logistic_regression(steps, inner):
        if inner is None:
            return make_pipeline(*steps, LogisticRegression(max_iter=2000))
        # The inner CV follows the regularisation path (warm starts from one C to the next).
        return make_pipeline(*steps, LogisticRegressionCV(
            Cs=list(Cs), cv=inner, scoring=make_scorer(f1_score, average="macro", zero_division=0.0), l1_ratios=(0.0,), max_iter=2000,
            use_legacy_attributes=False))

    rows = []
    for name, method in methods.items():
        seconds = np.nan
        if callable(method):
            start = time.perf_counter()
            method = method(documents)
            seconds = time.perf_counter() - start
        X = _as_matrix(method, n, name)
        if sparse.issparse(X):
            X = sparse.csr_matrix(X)
        # TF-IDF rows are already comparable; dense dimensions need a common scale.
        steps = [] if sparse.issparse(X) else [StandardScaler()]
        kmeans = KMeans(n_clusters=len(np.unique(labels)), n_init=n_init, random_state=seed)
        # One thread: these problems are small, and threads on a busy machine slow
        # L-BFGS's many tiny vector operations down by 30x.
        with threadpool_limits(1), warnings.catch_warnings():
            # Grouped inner folds cannot always hold every small topic: said once, here.
            warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
            accuracy, macro_f1, chosen = cross_validated(lambda inner: logistic_regression(steps, inner), X)
            clusters = kmeans.fit_predict(_unit_rows(X))
        row = {
            "method": name,
            "dim": X.shape[1],
            "accuracy": accuracy.mean(),
            "macro_f1": macro_f1.mean(),
            "accuracy_std": accuracy.std(),
            "macro_f1_std": macro_f1.std(),
            f"precision_at_{k}": precision_at_k(X, labels, k, groups=groups),
            "ari": adjusted_rand_score(labels, clusters),
            "embed_s_per_1k": seconds * 1000 / n,
        }
        if Cs is not None:
            row["C"] = " ".join(f"{c:g}" for c in chosen)
        rows.append(row)
    if baselines:
        accuracy, macro_f1, _ = cross_validated(lambda inner: DummyClassifier(strategy="most_frequent"), np.zeros((n, 1)),
                                              tune=False)
        rows.append({"method": "majority class", "dim": 0, "accuracy": accuracy.mean(), "macro_f1": macro_f1.mean(),
                     "accuracy_std": accuracy.std(), "macro_f1_std": macro_f1.std()})
        _, label_ids, sizes = np.unique(labels, return_inverse=True, return_counts=True)
        same_label = sizes[label_ids] - 1.0
        candidates = np.full(n, n - 1.0)
        if groups is not None:  # neighbours come from outside the document's own group
            _, group_ids, group_sizes = np.unique(groups, return_inverse=True, return_counts=True)
            same_both = np.unique(np.stack([group_ids, label_ids]), axis=1, return_inverse=True,
                                  return_counts=True)
            same_label -= same_both[2][same_both[1].ravel()] - 1.0
            candidates -= group_sizes[group_ids] - 1.0
        p = sizes / n
        rows.append({"method": "chance", "dim": 0, "accuracy": float(p @ p), "macro_f1": 1.0 / len(sizes),
                     f"precision_at_{k}": float((same_label / candidates).mean()), "ari": 0.0})
    return pd.DataFrame(rows).set_index("method")
