# forgets that each direction is a mean over the B pairs: divides by 2, not by 2B
def infonce_logit_gradient(logits):
    L = np.asarray(logits, dtype=float)
    rows = np.exp(L - L.max(axis=1, keepdims=True))
    rows /= rows.sum(axis=1, keepdims=True)
    columns = np.exp(L - L.max(axis=0, keepdims=True))
    columns /= columns.sum(axis=0, keepdims=True)
    identity = np.eye(len(L))
    return ((rows - identity) + (columns - identity)) / 2
