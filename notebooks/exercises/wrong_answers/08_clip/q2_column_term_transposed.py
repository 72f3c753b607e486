# computes the column term on logits.T and adds it back without transposing
def infonce_logit_gradient(logits):
    L = np.asarray(logits, dtype=float)
    def softmax_rows(M):
        E = np.exp(M - M.max(axis=1, keepdims=True))
        return E / E.sum(axis=1, keepdims=True)
    identity = np.eye(len(L))
    return ((softmax_rows(L) - identity) + (softmax_rows(L.T) - identity)) / (2 * len(L))
