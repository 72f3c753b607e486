# keeps each document's best reciprocal rank instead of summing over the rankings
def rrf(rankings, k=60):
    score = {}
    for ranking in rankings:
        for r, d in enumerate(ranking, start=1):
            score[d] = max(score.get(d, 0.0), 1.0 / (k + r))
    return sorted(score, key=lambda d: (-score[d], d))
