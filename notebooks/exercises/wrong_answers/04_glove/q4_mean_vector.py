# takes the cosine with the mean vector of A (and of B) instead of the mean of the cosines
def weat_effect_size(X, Y, A, B):
    def unit(V):
        V = np.asarray(V, dtype=float)
        return V / np.linalg.norm(V, axis=-1, keepdims=True)

    targets = unit(np.vstack([X, Y]))
    s = targets @ unit(np.mean(A, axis=0)) - targets @ unit(np.mean(B, axis=0))
    s_x, s_y = s[: len(X)], s[len(X):]
    return float((s_x.mean() - s_y.mean()) / s.std(ddof=1))
