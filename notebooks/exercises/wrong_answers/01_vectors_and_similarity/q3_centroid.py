# picks the word least similar to the centroid of the raw (unnormalised) vectors
def odd_one_out(vectors_by_word, words):
    if len(words) < 3:
        raise ValueError(f"need at least three words, got {len(words)}")
    V = np.array([vectors_by_word[w] for w in words], dtype=float)
    centroid = V.mean(axis=0)
    sims = V @ centroid / (np.linalg.norm(V, axis=1) * np.linalg.norm(centroid))
    return words[int(np.argmin(sims))]
