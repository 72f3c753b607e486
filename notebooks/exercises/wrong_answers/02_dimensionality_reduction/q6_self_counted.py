# writes its own overlap and counts each point as its own neighbour, so it stops too early
def components_for_neighbours(X, target, k=10):
    X = np.asarray(X, dtype=float)
    W, _ = pca_components(X, X.shape[1])
    Z = (X - X.mean(axis=0)) @ W.T

    def nbrs(A):
        sq = (A * A).sum(axis=1)
        return np.argsort(sq[:, None] + sq[None, :] - 2 * A @ A.T, axis=1)[:, :k]

    full = nbrs(X)
    for m in range(1, X.shape[1] + 1):
        if np.mean([len(np.intersect1d(a, b)) for a, b in zip(full, nbrs(Z[:, :m]))]) / k >= target:
            return m
    return X.shape[1]
