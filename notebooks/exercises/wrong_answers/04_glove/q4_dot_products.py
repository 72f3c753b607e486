# uses dot products instead of cosines (vectors are not unit length)
def weat_effect_size(X, Y, A, B):
    targets = np.vstack([X, Y]).astype(float)
    s = (targets @ np.asarray(A, dtype=float).T).mean(axis=1) - (targets @ np.asarray(B, dtype=float).T).mean(axis=1)
    s_x, s_y = s[: len(X)], s[len(X):]
    return float((s_x.mean() - s_y.mean()) / s.std(ddof=1))
