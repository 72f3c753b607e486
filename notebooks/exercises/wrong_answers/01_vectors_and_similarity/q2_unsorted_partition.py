# takes the k best with argpartition but never sorts them: right words, wrong order
def nearest_words(query, words, vectors, k):
    if not 1 <= k <= len(words):
        raise ValueError(f"k must be between 1 and {len(words)}, got {k}")
    vectors = np.asarray(vectors, dtype=float)
    query = np.asarray(query, dtype=float)
    scores = vectors @ query / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(query))
    best = np.argpartition(-scores, k - 1)[:k]
    return [words[i] for i in best]
