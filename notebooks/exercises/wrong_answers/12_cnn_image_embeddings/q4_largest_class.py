# the share of the largest class (the accuracy of always answering it, not a random ranking)
def chance_precision(labels):
    _, counts = np.unique(np.asarray(labels), return_counts=True)
    return float(counts.max() / counts.sum())
