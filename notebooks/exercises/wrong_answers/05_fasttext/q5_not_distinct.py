# counts every n-gram of every word, so n-grams shared between words are counted twice
def buckets_needed(words, max_share, min_n=3, max_n=6):
    n_grams = 0
    for word in words:
        marked = "<" + word + ">"
        for i in range(len(marked)):
            for n in range(min_n, max_n + 1):
                if i + n <= len(marked) and marked[i:i + n] not in ("<", ">"):
                    n_grams += 1
    return int(np.ceil(n_grams / -np.log(1 - max_share)))



lesson_bucket = buckets_needed(vocabulary, 0.05)
table_mb = lesson_bucket * 100 * 4 / 1e6
print(f"{lesson_bucket:,} buckets, {table_mb:.0f} MB")
