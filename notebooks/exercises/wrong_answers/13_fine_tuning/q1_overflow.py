# a plain log(sum(exp(s))): right for small scales, overflows for large ones
def info_nce(anchors, positives, scale=20.0):
    a = np.asarray(anchors, dtype=float)
    p = np.asarray(positives, dtype=float)
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    p = p / np.linalg.norm(p, axis=1, keepdims=True)
    s = scale * a @ p.T
    return float(np.mean(np.log(np.exp(s).sum(axis=1)) - np.diag(s)))
