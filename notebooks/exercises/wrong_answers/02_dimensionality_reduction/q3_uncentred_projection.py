# projects X itself instead of X - mean, then adds the mean
def reconstruct(X, k):
    X = np.asarray(X, dtype=float)
    W, _ = pca_components(X, k)
    return X.mean(axis=0) + X @ W.T @ W
