# projects the centred data but forgets to add the mean back
def reconstruct(X, k):
    X = np.asarray(X, dtype=float)
    W, _ = pca_components(X, k)
    return (X - X.mean(axis=0)) @ W.T @ W
