# replaces the undefined 0/0 ratios (and inf) by 0 with nan_to_num, hiding missing evidence
def probability_ratios(X, i, j, probes):
    X = np.asarray(X, dtype=float)
    if X[i].sum() == 0 or X[j].sum() == 0:
        raise ValueError("a row without counts has no probabilities")
    p_i = X[i, probes] / X[i].sum()
    p_j = X[j, probes] / X[j].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nan_to_num(p_i / p_j, nan=0.0, posinf=0.0)
