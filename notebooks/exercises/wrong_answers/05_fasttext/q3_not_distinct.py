# keeps every occurrence of an n-gram, so a repeated n-gram "collides" with itself
def colliding_share(words, bucket, min_n=3, max_n=6):
    grams = []
    for word in words:
        marked = "<" + word + ">"
        for i in range(len(marked)):
            for n in range(min_n, max_n + 1):
                if i + n <= len(marked) and marked[i:i + n] not in ("<", ">"):
                    grams.append(marked[i:i + n])
    ids = np.array([_bucket_of(g, bucket) for g in grams])
    _, which, per_row = np.unique(ids, return_inverse=True, return_counts=True)
    return float((per_row[which] > 1).mean())


def _bucket_of(gram, bucket):
    h = 2166136261
    for byte in gram.encode("utf-8"):
        h ^= byte if byte < 128 else byte | 0xFFFFFF00
        h = (h * 16777619) & 0xFFFFFFFF
    return h % bucket
