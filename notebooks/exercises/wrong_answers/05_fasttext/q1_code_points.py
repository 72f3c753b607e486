# hashes Unicode code points (ord) instead of UTF-8 bytes: right for ASCII only
def ngram_buckets(word, min_n=3, max_n=6, bucket=2_000_000):
    marked = "<" + word + ">"
    out = []
    for i in range(len(marked)):
        for n in range(min_n, max_n + 1):
            gram = marked[i:i + n]
            if i + n > len(marked) or gram in ("<", ">"):
                continue
            h = 2166136261
            for ch in gram:
                h ^= ord(ch)
                h = (h * 16777619) & 0xFFFFFFFF
            out.append(h % bucket)
    return out
