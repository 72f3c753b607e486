# scikit-learn's ndcg_score on relevance labels and rank-based scores (the question rules sklearn out)
def ndcg_at_k(ranking, relevant, k):
    from sklearn.metrics import ndcg_score
    ids = sorted(set(ranking) | set(relevant))
    pos = {d: i for i, d in enumerate(ranking)}
    truth = [[1.0 if d in relevant else 0.0 for d in ids]]
    score = [[float(len(ranking) - pos[d]) if d in pos else -1.0 for d in ids]]
    return float(ndcg_score(truth, score, k=k))
