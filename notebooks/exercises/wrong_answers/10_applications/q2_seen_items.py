# forgets to leave out the items the user already has
def item_knn_recommend(histories, n_items, k):
    X = np.zeros((len(histories), n_items))
    for u, h in enumerate(histories):
        X[u, list(h)] = 1.0
    norms = np.linalg.norm(X, axis=0)
    S = (X.T @ X) / np.maximum(np.outer(norms, norms), 1e-12)
    np.fill_diagonal(S, 0.0)
    scores = X @ S
    return [[int(i) for i in row] for row in np.argsort(-scores, axis=1, kind="stable")[:, :k]]
