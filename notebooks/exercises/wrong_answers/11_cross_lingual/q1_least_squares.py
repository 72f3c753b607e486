# the unconstrained least-squares map, which is not orthogonal
def procrustes(X, Y):
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    if X.shape[1] != Y.shape[1]:
        raise ValueError("dimension mismatch")
    return np.linalg.lstsq(X, Y, rcond=None)[0]
