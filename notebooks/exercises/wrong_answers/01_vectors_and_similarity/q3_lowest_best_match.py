# picks the word whose best match among the others is weakest (max instead of mean)
def odd_one_out(vectors_by_word, words):
    if len(words) < 3:
        raise ValueError(f"need at least three words, got {len(words)}")
    V = np.array([vectors_by_word[w] for w in words], dtype=float)
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    S = V @ V.T
    np.fill_diagonal(S, -np.inf)
    return words[int(np.argmin(S.max(axis=1)))]
