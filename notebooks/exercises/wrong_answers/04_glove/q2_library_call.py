# calls the reference embedlab.glove.loss_and_grads
from embedlab import glove


def glove_loss(W, Wc, b, bc, X, x_max=10.0, alpha=0.75):
    params = glove.GloVeParams(W, Wc, b, bc)
    rows, cols = np.nonzero(X)
    loss, _ = glove.loss_and_grads(params, rows, cols, X[rows, cols], x_max=x_max, alpha=alpha)
    return float(loss)
