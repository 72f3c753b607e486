# counts a query as 1 if ANY of its k neighbours shares its label (hit rate, not precision)
def precision_at_k(embeddings, labels, k):
    X = np.asarray(embeddings, dtype=float)
    y = np.asarray(labels)
    X = X / np.linalg.norm(X, axis=1, keepdims=True)
    S = X @ X.T
    np.fill_diagonal(S, -np.inf)
    nearest = np.argsort(-S, axis=1, kind="stable")[:, :k]
    return float((y[nearest] == y[:, None]).any(axis=1).mean())
