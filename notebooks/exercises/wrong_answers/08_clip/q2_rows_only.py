# differentiates only the image-to-text (row) term, as if the loss had one direction
def infonce_logit_gradient(logits):
    L = np.asarray(logits, dtype=float)
    rows = np.exp(L - L.max(axis=1, keepdims=True))
    rows /= rows.sum(axis=1, keepdims=True)
    return (rows - np.eye(len(L))) / len(L)
