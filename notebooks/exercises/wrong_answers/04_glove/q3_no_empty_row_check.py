# never checks for a row without counts, so it returns nan instead of raising ValueError
def probability_ratios(X, i, j, probes):
    X = np.asarray(X, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_i = X[i, probes] / X[i].sum()
        p_j = X[j, probes] / X[j].sum()
        return p_i / p_j
