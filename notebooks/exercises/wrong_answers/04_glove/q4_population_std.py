# divides by the population standard deviation (NumPy's default ddof=0)
def weat_effect_size(X, Y, A, B):
    def unit(V):
        V = np.asarray(V, dtype=float)
        return V / np.linalg.norm(V, axis=1, keepdims=True)

    targets = unit(np.vstack([X, Y]))
    s = (targets @ unit(A).T).mean(axis=1) - (targets @ unit(B).T).mean(axis=1)
    s_x, s_y = s[: len(X)], s[len(X):]
    return float((s_x.mean() - s_y.mean()) / s.std())
