# keeps the singular values: U S V^T is X^T Y itself, not a rotation
def procrustes(X, Y):
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    if X.shape[1] != Y.shape[1]:
        raise ValueError("dimension mismatch")
    U, s, Vt = np.linalg.svd(X.T @ Y)
    return U @ np.diag(s) @ Vt
