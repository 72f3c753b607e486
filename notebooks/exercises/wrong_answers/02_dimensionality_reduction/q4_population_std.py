# divides by the standard deviation with the n denominator, so the covariance is n/(n-1), not 1
def whiten(X, k):
    X = np.asarray(X, dtype=float)
    W, _ = pca_components(X, k)
    Z = (X - X.mean(axis=0)) @ W.T
    return Z / Z.std(axis=0)
