# one over the number of classes (right only for balanced classes and a query that could find itself)
def chance_precision(labels):
    return float(1 / len(np.unique(np.asarray(labels))))
