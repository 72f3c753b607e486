# no check of the dimensions: mismatched arrays fail with NumPy's own error, not a ValueError
def procrustes(X, Y):
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    U, _, Vt = np.linalg.svd(X.T @ Y)
    if U.shape[0] != Vt.shape[0]:
        raise TypeError("shapes do not match")
    return U @ Vt
