# sums the n-gram rows (the paper's formula) instead of averaging them as gensim does
def oov_vector(word, ngram_vectors, min_n=3, max_n=6):
    if word == "":
        raise ValueError("the empty string has no n-grams")
    rows = ngram_buckets(word, min_n, max_n, len(ngram_vectors))
    return np.asarray(ngram_vectors)[rows].sum(0)
