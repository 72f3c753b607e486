# returns the lesson's best orthogonal map U V^T, which is a reflection (det -1) when that fits better
def rotation(X, Y):
    U, _, Vt = np.linalg.svd(np.asarray(X, dtype=float).T @ np.asarray(Y, dtype=float))
    return U @ Vt
