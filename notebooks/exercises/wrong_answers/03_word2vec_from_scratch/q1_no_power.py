# ignores the 0.75 power: slots proportional to the raw counts
def unigram_table(counts, size, power=0.75):
    """Integer array of length size; word i fills about size * P_n(i) slots."""
    weights = np.asarray(counts, dtype=float)
    boundaries = np.round(np.cumsum(weights) / weights.sum() * size).astype(int)
    slots = np.diff(boundaries, prepend=0)
    return np.repeat(np.arange(len(weights)), slots)
