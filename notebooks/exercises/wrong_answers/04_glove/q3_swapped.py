# puts row j on top: returns P(k|j) / P(k|i)
def probability_ratios(X, i, j, probes):
    X = np.asarray(X, dtype=float)
    if X[i].sum() == 0 or X[j].sum() == 0:
        raise ValueError("a row without counts has no probabilities")
    p_i = X[i, probes] / X[i].sum()
    p_j = X[j, probes] / X[j].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        return p_j / p_i
