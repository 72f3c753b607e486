# answers with the number of components for the same share of the variance
def components_for_neighbours(X, target, k=10):
    return k_for_variance(X, target)
