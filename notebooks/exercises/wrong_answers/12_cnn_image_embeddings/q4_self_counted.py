# counts the query as its own classmate: sum of squared class shares
def chance_precision(labels):
    _, counts = np.unique(np.asarray(labels), return_counts=True)
    return float(((counts / counts.sum()) ** 2).sum())
