# returns the last m that is still below the target instead of the first that reaches it
def components_for_neighbours(X, target, k=10):
    X = np.asarray(X, dtype=float)
    W, _ = pca_components(X, X.shape[1])
    Z = (X - X.mean(axis=0)) @ W.T
    for m in range(1, X.shape[1] + 1):
        if neighbour_overlap(X, Z[:, :m], k) >= target:
            return m - 1
    return X.shape[1]
