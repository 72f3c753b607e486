# sets the left-out scores to 0 instead of removing them (e^0 = 1 still counts in the sum)
def masked_info_nce(anchors, positives, groups, scale=20.0):
    a = np.asarray(anchors, dtype=float)
    p = np.asarray(positives, dtype=float)
    g = np.asarray(groups)
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    p = p / np.linalg.norm(p, axis=1, keepdims=True)
    s = scale * a @ p.T
    keep = (g[:, None] != g[None, :]) | np.eye(len(g), dtype=bool)
    masked = np.where(keep, s, 0.0)
    top = masked.max(axis=1, keepdims=True)
    lse = top[:, 0] + np.log(np.exp(masked - top).sum(axis=1))
    return float(np.mean(lse - np.diag(s)))
