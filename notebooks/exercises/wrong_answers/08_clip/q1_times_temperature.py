# multiplies the cosines by the temperature instead of dividing by it
def infonce(U, V, temperature):
    U, V = np.asarray(U, dtype=float), np.asarray(V, dtype=float)
    if U.ndim != 2 or U.shape != V.shape or len(U) == 0:
        raise ValueError("need two non-empty batches of one shape")
    U = U / np.linalg.norm(U, axis=1, keepdims=True)
    V = V / np.linalg.norm(V, axis=1, keepdims=True)
    L = U @ V.T * temperature
    def ce(M):
        top = M.max(axis=1, keepdims=True)
        return np.mean(top[:, 0] + np.log(np.exp(M - top).sum(axis=1)) - np.diag(M))
    return float((ce(L) + ce(L.T)) / 2)
