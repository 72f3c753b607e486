# searches in whitened coordinates, which give every kept direction the same weight
def components_for_neighbours(X, target, k=10):
    X = np.asarray(X, dtype=float)
    for m in range(1, X.shape[1] + 1):
        if neighbour_overlap(X, whiten(X, m), k) >= target:
            return m
    return X.shape[1]
