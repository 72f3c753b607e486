# stops after the weighted average (6.5): the common component is never removed
def sif_embed(token_lists, word_vectors, word_prob, a=1e-3):
    X = np.zeros((len(token_lists), word_vectors.dim))
    for d, doc in enumerate(token_lists):
        known = [w for w in doc if w in word_vectors]
        for w in known:
            X[d] += a / (a + word_prob.get(w, 0.0)) * word_vectors[w]
        if known:
            X[d] /= len(known)
    return X
