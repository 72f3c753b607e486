# leaves out the context bias bc (only the word bias b is added)
def glove_loss(W, Wc, b, bc, X, x_max=10.0, alpha=0.75):
    rows, cols = np.nonzero(X)
    x = X[rows, cols]
    residual = np.sum(W[rows] * Wc[cols], axis=1) + b[rows] - np.log(x)
    weight = np.minimum(1.0, (x / x_max) ** alpha)
    return float(np.sum(weight * residual**2))
