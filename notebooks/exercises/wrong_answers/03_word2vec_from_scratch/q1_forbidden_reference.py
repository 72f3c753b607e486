# calls the lesson's library for P_n (forbidden: embedlab.word2vec)
from embedlab import word2vec as w2v


def unigram_table(counts, size, power=0.75):
    """Integer array of length size; word i fills about size * P_n(i) slots."""
    p = w2v.noise_distribution(counts, power)
    boundaries = np.round(np.cumsum(p) * size).astype(int)
    return np.repeat(np.arange(len(p)), np.diff(boundaries, prepend=0))
