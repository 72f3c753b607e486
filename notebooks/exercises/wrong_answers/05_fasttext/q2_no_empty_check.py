# no check for the empty string: returns the mean of no rows (nan) instead of raising ValueError
def oov_vector(word, ngram_vectors, min_n=3, max_n=6):
    rows = ngram_buckets(word, min_n, max_n, len(ngram_vectors))
    with np.errstate(invalid="ignore"):
        return np.asarray(ngram_vectors)[rows].mean(0) if rows else np.full(np.shape(ngram_vectors)[1], np.nan)
