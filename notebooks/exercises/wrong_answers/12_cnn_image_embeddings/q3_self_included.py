# leaves the query in its own answers (it is always its own nearest neighbour)
def precision_at_k(embeddings, labels, k):
    X = np.asarray(embeddings, dtype=float)
    y = np.asarray(labels)
    X = X / np.linalg.norm(X, axis=1, keepdims=True)
    nearest = np.argsort(-(X @ X.T), axis=1, kind="stable")[:, :k]
    return float((y[nearest] == y[:, None]).mean())
