# takes V U^T instead of U V^T (the map from Y back to X)
def procrustes(X, Y):
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    if X.shape[1] != Y.shape[1]:
        raise ValueError("dimension mismatch")
    U, _, Vt = np.linalg.svd(X.T @ Y)
    return (U @ Vt).T
