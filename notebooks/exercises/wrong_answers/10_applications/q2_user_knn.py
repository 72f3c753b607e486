# takes the cosine between users (rows) instead of between items (columns): user-kNN
def item_knn_recommend(histories, n_items, k):
    X = np.zeros((len(histories), n_items))
    for u, h in enumerate(histories):
        X[u, list(h)] = 1.0
    norms = np.linalg.norm(X, axis=1)
    S = (X @ X.T) / np.maximum(np.outer(norms, norms), 1e-12)
    np.fill_diagonal(S, 0.0)
    scores = S @ X
    scores[X > 0] = -np.inf
    return [[int(i) for i in row] for row in np.argsort(-scores, axis=1, kind="stable")[:, :k]]
