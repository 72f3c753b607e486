# Lucene 8's form without the (k1 + 1) factor in the numerator (same ranking, other scores than (14.1))
def bm25_lucene(docs, query, k1=1.2, b=0.75):
    from collections import Counter
    N = len(docs)
    lengths = np.array([len(d) for d in docs], dtype=float)
    avgdl = lengths.mean()
    tf = [Counter(d) for d in docs]
    df = Counter(t for d in docs for t in set(d))
    s = np.zeros(N)
    for t in query:
        n = df.get(t, 0)
        if n:
            f = np.array([c[t] for c in tf], dtype=float)
            s += np.log(1 + (N - n + 0.5) / (n + 0.5)) * f / (f + k1 * (1 - b + b * lengths / avgdl))
    return s
