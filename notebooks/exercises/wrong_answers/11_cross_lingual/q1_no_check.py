# no check of the dimensions: a mismatch fails inside NumPy, whose ValueError does not say how many columns X and Y have
def procrustes(X, Y):
    U, _, Vt = np.linalg.svd(X.T @ Y)
    return U @ Vt
