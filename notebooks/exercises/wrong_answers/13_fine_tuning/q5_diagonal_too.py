# leaves out every column of the anchor's group, its own positive included
def masked_info_nce(anchors, positives, groups, scale=20.0):
    a = np.asarray(anchors, dtype=float)
    p = np.asarray(positives, dtype=float)
    g = np.asarray(groups)
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    p = p / np.linalg.norm(p, axis=1, keepdims=True)
    s = scale * a @ p.T
    masked = np.where(g[:, None] != g[None, :], s, -np.inf)
    top = masked.max(axis=1, keepdims=True)
    lse = top[:, 0] + np.log(np.exp(masked - top).sum(axis=1))
    return float(np.mean(lse - np.diag(s)))
