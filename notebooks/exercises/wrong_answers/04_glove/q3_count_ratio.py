# divides the raw counts X[i, k] / X[j, k], forgetting to turn each row into probabilities
def probability_ratios(X, i, j, probes):
    X = np.asarray(X, dtype=float)
    if X[i].sum() == 0 or X[j].sum() == 0:
        raise ValueError("a row without counts has no probabilities")
    with np.errstate(divide="ignore", invalid="ignore"):
        return X[i, probes] / X[j, probes]
