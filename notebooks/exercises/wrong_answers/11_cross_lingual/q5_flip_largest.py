# flips the direction of the largest singular value instead of the smallest: a rotation, but not the best one
def rotation(X, Y):
    U, _, Vt = np.linalg.svd(np.asarray(X, dtype=float).T @ np.asarray(Y, dtype=float))
    signs = np.ones(len(U))
    signs[0] = np.sign(np.linalg.det(U @ Vt))
    return (U * signs) @ Vt
