# counts only the n-grams beyond the first in each row: (N - rows used) / N
def colliding_share(words, bucket, min_n=3, max_n=6):
    grams = set()
    for word in words:
        marked = "<" + word + ">"
        for i in range(len(marked)):
            for n in range(min_n, max_n + 1):
                if i + n <= len(marked) and marked[i:i + n] not in ("<", ">"):
                    grams.add(marked[i:i + n])
    rows = {_bucket_of(g, bucket) for g in grams}
    return float((len(grams) - len(rows)) / len(grams))


def _bucket_of(gram, bucket):
    h = 2166136261
    for byte in gram.encode("utf-8"):
        h ^= byte if byte < 128 else byte | 0xFFFFFF00
        h = (h * 16777619) & 0xFFFFFFFF
    return h % bucket
