# fits log(1 + X) on every cell, zeros included, instead of skipping the zero cells
def glove_loss(W, Wc, b, bc, X, x_max=10.0, alpha=0.75):
    residual = W @ Wc.T + b[:, None] + bc[None, :] - np.log1p(X)
    weight = np.minimum(1.0, (X / x_max) ** alpha)
    return float(np.sum(weight * residual**2))
