# the lesson's idf ln((N - n + 0.5) / (n + 0.5)) with its floor, not Lucene's ln(1 + ...)
def bm25_lucene(docs, query, k1=1.2, b=0.75):
    from collections import Counter
    N = len(docs)
    lengths = np.array([len(d) for d in docs], dtype=float)
    avgdl = lengths.mean()
    tf = [Counter(d) for d in docs]
    df = Counter(t for d in docs for t in set(d))
    idf = {t: np.log((N - n + 0.5) / (n + 0.5)) for t, n in df.items()}
    floor = 0.25 * np.mean(list(idf.values()))
    idf = {t: (v if v >= 0 else floor) for t, v in idf.items()}
    scores = np.zeros(N)
    for t in query:
        if t in idf:
            f = np.array([c[t] for c in tf], dtype=float)
            scores += idf[t] * f * (k1 + 1) / (f + k1 * (1 - b + b * lengths / avgdl))
    return scores
