# forgets to subtract the mean before projecting
def whiten(X, k):
    X = np.asarray(X, dtype=float)
    W, variances = pca_components(X, k)
    return X @ W.T / np.sqrt(variances)
