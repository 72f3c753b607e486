# delegates to embedlab.similarity.top_k, which the rule forbids
from embedlab.similarity import top_k


def nearest_words(query, words, vectors, k):
    if not 1 <= k <= len(words):
        raise ValueError(f"k must be between 1 and {len(words)}, got {k}")
    rows, _ = top_k(query, vectors, k=k)
    return [words[i] for i in rows]
