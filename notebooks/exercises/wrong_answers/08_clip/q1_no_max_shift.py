# exponentiates the logits directly: overflows (inf/nan) at a small temperature
def infonce(U, V, temperature):
    U, V = np.asarray(U, dtype=float), np.asarray(V, dtype=float)
    if U.ndim != 2 or U.shape != V.shape or len(U) == 0:
        raise ValueError("need two non-empty batches of one shape")
    U = U / np.linalg.norm(U, axis=1, keepdims=True)
    V = V / np.linalg.norm(V, axis=1, keepdims=True)
    L = U @ V.T / temperature
    rows = np.mean(np.log(np.exp(L).sum(axis=1)) - np.diag(L))
    columns = np.mean(np.log(np.exp(L).sum(axis=0)) - np.diag(L))
    return float((rows + columns) / 2)
