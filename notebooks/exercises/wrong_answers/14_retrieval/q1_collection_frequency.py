# n_t counts the occurrences of t in the collection instead of the documents holding it
def bm25_lucene(docs, query, k1=1.2, b=0.75):
    from collections import Counter
    N = len(docs)
    lengths = np.array([len(d) for d in docs], dtype=float)
    avgdl = lengths.mean()
    tf = [Counter(d) for d in docs]
    cf = Counter(t for d in docs for t in d)
    s = np.zeros(N)
    for t in query:
        n = cf.get(t, 0)
        if n:
            f = np.array([c[t] for c in tf], dtype=float)
            s += np.log(1 + (N - n + 0.5) / (n + 0.5)) * f * (k1 + 1) / (f + k1 * (1 - b + b * lengths / avgdl))
    return s
