# counts ranks from 0 (the first document scores 1/k)
def rrf(rankings, k=60):
    score = {}
    for ranking in rankings:
        for r, d in enumerate(ranking):
            score[d] = score.get(d, 0.0) + 1.0 / (k + r + 1e-12)
    return sorted(score, key=lambda d: (-score[d], d))
