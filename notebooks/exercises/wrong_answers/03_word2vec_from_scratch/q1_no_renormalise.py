# raises the unigram probabilities to the power 0.75 but does not normalise again
def unigram_table(counts, size, power=0.75):
    """Integer array of length size; word i fills about size * P_n(i) slots."""
    counts = np.asarray(counts, dtype=float)
    shares = (counts / counts.sum()) ** power
    slots = np.round(shares * size).astype(int)
    return np.repeat(np.arange(len(counts)), slots)
