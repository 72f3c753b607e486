# ranks by cosine between the item vectors V S^(1/2) and the user's mean unit vector (throws the norms away)
def svd_recommend(histories, n_items, rank, k):
    X = np.zeros((len(histories), n_items))
    for u, h in enumerate(histories):
        X[u, list(h)] = 1.0
    if not 1 <= rank <= min(X.shape):
        raise ValueError(f"rank must be between 1 and {min(X.shape)}, got {rank}")
    U, S, Vt = np.linalg.svd(X, full_matrices=False)
    V = Vt[:rank].T * np.sqrt(S[:rank])
    unit = V / np.maximum(np.linalg.norm(V, axis=1, keepdims=True), 1e-12)
    users = np.stack([unit[list(h)].mean(axis=0) for h in histories])
    scores = users @ unit.T
    scores[X > 0] = -np.inf
    return [[int(i) for i in row] for row in np.argsort(-scores, axis=1, kind="stable")[:, :k]]
