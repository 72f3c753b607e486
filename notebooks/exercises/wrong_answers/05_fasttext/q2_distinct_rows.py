# averages over the distinct rows, so a repeated bucket counts once
def oov_vector(word, ngram_vectors, min_n=3, max_n=6):
    if word == "":
        raise ValueError("the empty string has no n-grams")
    rows = sorted(set(ngram_buckets(word, min_n, max_n, len(ngram_vectors))))
    return np.asarray(ngram_vectors)[rows].mean(0)
