# forgets the weighting f(X): every non-zero cell's squared error counts fully
def glove_loss(W, Wc, b, bc, X, x_max=10.0, alpha=0.75):
    rows, cols = np.nonzero(X)
    x = X[rows, cols]
    residual = np.sum(W[rows] * Wc[cols], axis=1) + b[rows] + bc[cols] - np.log(x)
    return float(np.sum(residual**2))
