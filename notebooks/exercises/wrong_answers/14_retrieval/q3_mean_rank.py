# sorts by the best (smallest) rank a document gets, ignoring how many rankings found it
def rrf(rankings, k=60):
    best = {}
    for ranking in rankings:
        for r, d in enumerate(ranking, start=1):
            best[d] = min(best.get(d, r), r)
    return sorted(best, key=lambda d: (best[d], d))
