# ranks by dot product instead of cosine (long vectors win every query)
def precision_at_k(embeddings, labels, k):
    X = np.asarray(embeddings, dtype=float)
    y = np.asarray(labels)
    S = X @ X.T
    np.fill_diagonal(S, -np.inf)
    nearest = np.argsort(-S, axis=1, kind="stable")[:, :k]
    return float((y[nearest] == y[:, None]).mean())
