# skips the best match, as if it were always the query word itself (off by one)
def nearest_words(query, words, vectors, k):
    if not 1 <= k <= len(words):
        raise ValueError(f"k must be between 1 and {len(words)}, got {k}")
    vectors = np.asarray(vectors, dtype=float)
    query = np.asarray(query, dtype=float)
    scores = vectors @ query / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(query))
    order = np.argsort(-scores)
    return [words[i] for i in order[1:k + 1]] if k < len(words) else [words[i] for i in order]
