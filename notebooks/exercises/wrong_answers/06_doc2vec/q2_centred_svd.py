# centres the matrix before the SVD (as PCA would), so u is not the shared direction
def sif_embed(token_lists, word_vectors, word_prob, a=1e-3):
    X = np.zeros((len(token_lists), word_vectors.dim))
    for d, doc in enumerate(token_lists):
        known = [w for w in doc if w in word_vectors]
        for w in known:
            X[d] += a / (a + word_prob.get(w, 0.0)) * word_vectors[w]
        if known:
            X[d] /= len(known)
    u = np.linalg.svd(X - X.mean(axis=0), full_matrices=False)[2][0]
    return X - np.outer(X @ u, u)
