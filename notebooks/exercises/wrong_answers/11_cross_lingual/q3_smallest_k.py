# averages the k least similar neighbours (sorted ascending, takes the first k)
def csls(mapped, targets, k):
    Q = np.asarray(mapped, dtype=float)
    T = np.asarray(targets, dtype=float)
    Q = Q / np.linalg.norm(Q, axis=1, keepdims=True)
    T = T / np.linalg.norm(T, axis=1, keepdims=True)
    cos = Q @ T.T
    r_t = np.sort(cos, axis=1)[:, :k].mean(axis=1)
    r_s = np.sort(cos.T, axis=1)[:, :k].mean(axis=1)
    return 2 * cos - r_t[:, None] - r_s[None, :]
