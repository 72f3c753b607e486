# right search, but accepts any dim (dim = 0 silently uses no coordinates; dim > D uses all)
def truncated_top1(queries, corpus, dim):
    Q = np.asarray(queries, dtype=float)
    C = np.asarray(corpus, dtype=float)
    q = Q[:, :dim] / np.maximum(np.linalg.norm(Q[:, :dim], axis=1, keepdims=True), 1e-12)
    c = C[:, :dim] / np.maximum(np.linalg.norm(C[:, :dim], axis=1, keepdims=True), 1e-12)
    return np.argmax(q @ c.T, axis=1)
