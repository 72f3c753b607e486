# ignores the target and counts the components with more than the average variance (a rule of thumb)
def k_for_variance(X, target):
    X = np.asarray(X, dtype=float)
    _, variances = pca_components(X, X.shape[1])
    return int(np.sum(variances > variances.mean()))
