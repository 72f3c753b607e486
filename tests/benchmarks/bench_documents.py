"""Seconds to embed 1,000 documents, per method of lesson 06 (embedlab.documents).

Documents: about 900 e-mails of the spam set (long, ~370 tokens each) and the 800 chatterbot
question-answer pairs (short, ~18 tokens), already tokenised, so only the embedding is
timed. The reference column is the library doing the same job where there is one:
scikit-learn's ``TfidfVectorizer`` for our TF-IDF; Doc2Vec *is* gensim (the time is its
training, since training is how a Doc2Vec collection gets its vectors).
"""


import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from embedlab import data, documents
from embedlab.pretrained import load_glove
from timing import median_seconds

REPEATS = 3


def bench() -> list[dict]:
    glove = load_glove()
    counts = data.load_corpus("small")
    rows = []
    sets = {
        "spam": documents.tokenize_all(documents.labelled_documents("spam", max_per_class=334)[0]),
        "chatterbot": documents.tokenize_all(documents.labelled_documents("chatterbot")[0]),
    }
    for name, tokens in sets.items():
        per_1k = 1000 / len(tokens)
        note = f"{len(tokens)} docs, {np.mean([len(t) for t in tokens]):.0f} tokens/doc"
        methods = [
            ("TF-IDF (ours vs sklearn)", lambda: documents.Tfidf().fit_transform(tokens),
             lambda: TfidfVectorizer(analyzer=lambda d: d).fit_transform(tokens), ">= 0.5 (a readable hand version)"),
            ("mean GloVe", lambda: documents.average_word_vectors(tokens, glove), None, "report"),
            ("SIF GloVe", lambda: documents.SIF(glove, counts).fit_transform(tokens), None, "report"),
            ("PV-DM, 20 epochs (gensim)", lambda: documents.doc2vec_vectors(tokens, dm=True), None, "report"),
            ("PV-DBOW, 20 epochs (gensim)", lambda: documents.doc2vec_vectors(tokens, dm=False), None, "report"),
        ]
        for label, ours, reference, goal in methods:
            repeats = 1 if "PV" in label else REPEATS
            rows.append({
                "benchmark": f"embed 1k {name} docs: {label}",
                "ours_s": median_seconds(ours, repeats) * per_1k,
                "reference_s": median_seconds(reference) * per_1k if reference else None,
                "goal": goal,
                "data": note,
            })
    return rows
