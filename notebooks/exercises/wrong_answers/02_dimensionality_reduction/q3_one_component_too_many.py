# keeps k + 1 components (counting from 0 to k inclusive)
def reconstruct(X, k):
    X = np.asarray(X, dtype=float)
    W, _ = pca_components(X, k + 1)
    mu = X.mean(axis=0)
    return mu + (X - mu) @ W.T @ W
