# divides by the variance instead of the standard deviation
def whiten(X, k):
    X = np.asarray(X, dtype=float)
    W, variances = pca_components(X, k)
    return (X - X.mean(axis=0)) @ W.T / variances
