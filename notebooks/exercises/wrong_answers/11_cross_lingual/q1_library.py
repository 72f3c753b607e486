# calls SciPy's solver instead of writing equation (11.3)
import scipy.linalg


def procrustes(X, Y):
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    if X.shape[1] != Y.shape[1]:
        raise ValueError("dimension mismatch")
    return scipy.linalg.orthogonal_procrustes(X, Y)[0]
