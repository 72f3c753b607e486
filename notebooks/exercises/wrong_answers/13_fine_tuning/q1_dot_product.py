# scores with raw dot products instead of cosines (no normalisation)
def info_nce(anchors, positives, scale=20.0):
    a = np.asarray(anchors, dtype=float)
    p = np.asarray(positives, dtype=float)
    s = scale * a @ p.T
    top = s.max(axis=1, keepdims=True)
    return float(np.mean(top[:, 0] + np.log(np.exp(s - top).sum(axis=1)) - np.diag(s)))
