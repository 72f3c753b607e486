# accumulates eigh's eigenvalues in ascending order, so the small ones are counted first
def k_for_variance(X, target):
    X = np.asarray(X, dtype=float)
    Xc = X - X.mean(axis=0)
    eigenvalues = np.linalg.eigvalsh(Xc.T @ Xc / (len(X) - 1))
    share = np.cumsum(eigenvalues) / eigenvalues.sum()
    return int(np.searchsorted(share, target) + 1)
