# keeps rank + 1 singular values (an off-by-one in the slice)
def svd_recommend(histories, n_items, rank, k):
    X = np.zeros((len(histories), n_items))
    for u, h in enumerate(histories):
        X[u, list(h)] = 1.0
    if not 1 <= rank <= min(X.shape):
        raise ValueError(f"rank must be between 1 and {min(X.shape)}, got {rank}")
    U, S, Vt = np.linalg.svd(X, full_matrices=False)
    scores = (U[:, :rank + 1] * S[:rank + 1]) @ Vt[:rank + 1]
    scores[X > 0] = -np.inf
    return [[int(i) for i in row] for row in np.argsort(-scores, axis=1, kind="stable")[:, :k]]
