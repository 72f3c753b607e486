# uses embedlab.reduce.n_components_for, which the rule forbids
from embedlab.reduce import n_components_for


def k_for_variance(X, target):
    X = np.asarray(X, dtype=float)
    _, variances = pca_components(X, X.shape[1])
    return int(n_components_for(variances / variances.sum(), target))
