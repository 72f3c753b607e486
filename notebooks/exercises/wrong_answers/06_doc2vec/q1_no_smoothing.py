# leaves out the smoothing: ln(n / df) + 1 instead of ln((1 + n) / (1 + df)) + 1
def smooth_idf(token_lists):
    vocabulary = sorted({w for doc in token_lists for w in doc})
    df = np.array([sum(w in doc for doc in token_lists) for w in vocabulary], dtype=float)
    return vocabulary, np.log(len(token_lists) / df) + 1
