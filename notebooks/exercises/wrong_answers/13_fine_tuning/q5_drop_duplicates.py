# drops every pair after the first of its group from the batch, then computes (13.1) on the rest
def masked_info_nce(anchors, positives, groups, scale=20.0):
    g = np.asarray(groups)
    _, first = np.unique(g, return_index=True)
    first = np.sort(first)
    a = np.asarray(anchors, dtype=float)[first]
    p = np.asarray(positives, dtype=float)[first]
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    p = p / np.linalg.norm(p, axis=1, keepdims=True)
    s = scale * a @ p.T
    top = s.max(axis=1, keepdims=True)
    lse = top[:, 0] + np.log(np.exp(s - top).sum(axis=1))
    return float(np.mean(lse - np.diag(s)))
