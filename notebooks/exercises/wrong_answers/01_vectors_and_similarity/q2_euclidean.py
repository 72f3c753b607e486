# ranks by smallest Euclidean distance instead of highest cosine
def nearest_words(query, words, vectors, k):
    if not 1 <= k <= len(words):
        raise ValueError(f"k must be between 1 and {len(words)}, got {k}")
    dist = np.linalg.norm(np.asarray(vectors, dtype=float) - np.asarray(query, dtype=float), axis=1)
    return [words[i] for i in np.argsort(dist)[:k]]
