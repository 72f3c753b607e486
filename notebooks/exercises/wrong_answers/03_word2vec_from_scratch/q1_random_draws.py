# fills the table with random draws from P_n instead of exact slot counts
def unigram_table(counts, size, power=0.75):
    """Integer array of length size; word i fills about size * P_n(i) slots."""
    weights = np.asarray(counts, dtype=float) ** power
    draws = np.random.default_rng(0).choice(len(weights), size=size, p=weights / weights.sum())
    return np.sort(draws)
