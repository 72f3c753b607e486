# takes the softmax down each column (positive j against every anchor) instead of along each row
def info_nce(anchors, positives, scale=20.0):
    a = np.asarray(anchors, dtype=float)
    p = np.asarray(positives, dtype=float)
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    p = p / np.linalg.norm(p, axis=1, keepdims=True)
    s = scale * a @ p.T
    top = s.max(axis=0, keepdims=True)
    return float(np.mean(top[0] + np.log(np.exp(s - top).sum(axis=0)) - np.diag(s)))
