# divides by the sum of the weights instead of the number of known words
def sif_embed(token_lists, word_vectors, word_prob, a=1e-3):
    X = np.zeros((len(token_lists), word_vectors.dim))
    for d, doc in enumerate(token_lists):
        total = 0.0
        for w in doc:
            if w in word_vectors:
                weight = a / (a + word_prob.get(w, 0.0))
                X[d] += weight * word_vectors[w]
                total += weight
        if total:
            X[d] /= total
    u = np.linalg.svd(X, full_matrices=False)[2][0]
    return X - np.outer(X @ u, u)
