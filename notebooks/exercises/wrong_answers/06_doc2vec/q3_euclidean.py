# ranks neighbours by Euclidean distance instead of cosine similarity
def precision_at_k(X, labels, k):
    X = np.asarray(X, dtype=float)
    labels = np.asarray(labels)
    D = ((X[:, None, :] - X[None, :, :]) ** 2).sum(axis=2)
    np.fill_diagonal(D, np.inf)
    nearest = np.argsort(D, axis=1)[:, :k]
    return float((labels[nearest] == labels[:, None]).mean())
