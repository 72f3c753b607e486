# uses dot products instead of cosines (forgets to normalise)
def csls(mapped, targets, k):
    Q = np.asarray(mapped, dtype=float)
    T = np.asarray(targets, dtype=float)
    cos = Q @ T.T
    r_t = np.sort(cos, axis=1)[:, -k:].mean(axis=1)
    r_s = np.sort(cos.T, axis=1)[:, -k:].mean(axis=1)
    return 2 * cos - r_t[:, None] - r_s[None, :]
