# breaks ties by first appearance (a stable sort on the score alone), not by the smaller id
def rrf(rankings, k=60):
    score = {}
    for ranking in rankings:
        for r, d in enumerate(ranking, start=1):
            score[d] = score.get(d, 0.0) + 1.0 / (k + r)
    return sorted(score, key=score.get, reverse=True)
