# picks the word with the largest mean Euclidean distance to the others
def odd_one_out(vectors_by_word, words):
    if len(words) < 3:
        raise ValueError(f"need at least three words, got {len(words)}")
    V = np.array([vectors_by_word[w] for w in words], dtype=float)
    dist = np.linalg.norm(V[:, None, :] - V[None, :, :], axis=-1)
    return words[int(np.argmax(dist.sum(axis=1) / (len(words) - 1)))]
