# assumes the query is always its own first answer and skips it (wrong when images tie)
def precision_at_k(embeddings, labels, k):
    """Mean share of each image's k nearest other images (cosine) that share its label."""
    X = np.asarray(embeddings, dtype=float)
    y = np.asarray(labels)
    X = X / np.linalg.norm(X, axis=1, keepdims=True)
    nearest = np.argsort(-(X @ X.T), axis=1, kind="stable")[:, 1:k + 1]
    return float((y[nearest] == y[:, None]).mean())
