# forgets to centre: eigenvectors of X^T X / (n - 1), so the first one points at the mean
def pca_components(X, k):
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    if not 1 <= k <= d:
        raise ValueError(f"k must be between 1 and {d}, got {k}")
    eigenvalues, eigenvectors = np.linalg.eigh(X.T @ X / (n - 1))
    order = np.argsort(eigenvalues)[::-1][:k]
    components = eigenvectors[:, order].T
    largest = np.argmax(np.abs(components), axis=1)
    components *= np.sign(components[np.arange(k), largest])[:, None]
    return components, eigenvalues[order]
