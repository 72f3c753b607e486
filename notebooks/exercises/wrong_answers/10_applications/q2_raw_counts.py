# scores by raw co-occurrence counts (no division by the column norms), so popular items win
def item_knn_recommend(histories, n_items, k):
    X = np.zeros((len(histories), n_items))
    for u, h in enumerate(histories):
        X[u, list(h)] = 1.0
    C = X.T @ X
    np.fill_diagonal(C, 0.0)
    scores = X @ C
    scores[X > 0] = -np.inf
    return [[int(i) for i in row] for row in np.argsort(-scores, axis=1, kind="stable")[:, :k]]
