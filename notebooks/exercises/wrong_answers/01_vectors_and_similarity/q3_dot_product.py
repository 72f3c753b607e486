# uses the mean dot product instead of the mean cosine similarity
def odd_one_out(vectors_by_word, words):
    if len(words) < 3:
        raise ValueError(f"need at least three words, got {len(words)}")
    V = np.array([vectors_by_word[w] for w in words], dtype=float)
    S = V @ V.T
    np.fill_diagonal(S, 0.0)
    return words[int(np.argmin(S.sum(axis=1) / (len(words) - 1)))]
