# returns the mean over the non-zero cells (as train's logged loss) instead of the sum J
def glove_loss(W, Wc, b, bc, X, x_max=10.0, alpha=0.75):
    rows, cols = np.nonzero(X)
    x = X[rows, cols]
    residual = np.sum(W[rows] * Wc[cols], axis=1) + b[rows] + bc[cols] - np.log(x)
    weight = np.minimum(1.0, (x / x_max) ** alpha)
    return float(np.mean(weight * residual**2))
