# uses the small-share approximation N / B <= max_share, so B = N / max_share is too large
def buckets_needed(words, max_share, min_n=3, max_n=6):
    grams = set()
    for word in words:
        marked = "<" + word + ">"
        for i in range(len(marked)):
            for n in range(min_n, max_n + 1):
                if i + n <= len(marked) and marked[i:i + n] not in ("<", ">"):
                    grams.add(marked[i:i + n])
    return int(np.ceil(len(grams) / max_share))



lesson_bucket = buckets_needed(vocabulary, 0.05)
table_mb = lesson_bucket * 100 * 4 / 1e6
print(f"{lesson_bucket:,} buckets, {table_mb:.0f} MB")
