# keeps only the documents found by every ranking
def rrf(rankings, k=60):
    common = set(rankings[0]).intersection(*map(set, rankings[1:]))
    score = {d: sum(1.0 / (k + list(r).index(d) + 1) for r in rankings) for d in common}
    return sorted(score, key=lambda d: (-score[d], d))
