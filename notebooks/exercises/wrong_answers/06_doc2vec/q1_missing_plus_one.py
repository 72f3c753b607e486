# forgets the final + 1, so a word in every document gets idf 0
def smooth_idf(token_lists):
    vocabulary = sorted({w for doc in token_lists for w in doc})
    df = np.array([sum(w in doc for doc in token_lists) for w in vocabulary], dtype=float)
    return vocabulary, np.log((1 + len(token_lists)) / (1 + df))
