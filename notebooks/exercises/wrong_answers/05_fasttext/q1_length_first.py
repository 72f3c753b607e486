# orders the n-grams by length first, then by position
def ngram_buckets(word, min_n=3, max_n=6, bucket=2_000_000):
    marked = "<" + word + ">"
    out = []
    for n in range(min_n, max_n + 1):
        for i in range(len(marked) - n + 1):
            gram = marked[i:i + n]
            if gram in ("<", ">"):
                continue
            h = 2166136261
            for byte in gram.encode("utf-8"):
                h ^= byte if byte < 128 else byte | 0xFFFFFF00
                h = (h * 16777619) & 0xFFFFFFFF
            out.append(h % bucket)
    return out
