# adds 1 to every count (Laplace smoothing) so nothing is ever zero or undefined
def probability_ratios(X, i, j, probes):
    X = np.asarray(X, dtype=float) + 1.0
    p_i = X[i, probes] / X[i].sum()
    p_j = X[j, probes] / X[j].sum()
    return p_i / p_j
