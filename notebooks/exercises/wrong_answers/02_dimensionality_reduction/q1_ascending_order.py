# keeps eigh's ascending order: returns the k smallest-variance directions
def pca_components(X, k):
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    if not 1 <= k <= d:
        raise ValueError(f"k must be between 1 and {d}, got {k}")
    Xc = X - X.mean(axis=0)
    eigenvalues, eigenvectors = np.linalg.eigh(Xc.T @ Xc / (n - 1))
    components = eigenvectors[:, :k].T
    largest = np.argmax(np.abs(components), axis=1)
    components *= np.sign(components[np.arange(k), largest])[:, None]
    return components, eigenvalues[:k]
