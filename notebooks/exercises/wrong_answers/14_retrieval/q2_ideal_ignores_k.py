# the ideal ranking places every relevant document, even beyond rank k
def ndcg_at_k(ranking, relevant, k):
    dcg = sum(1.0 / np.log2(r + 1) for r, d in enumerate(list(ranking)[:k], start=1) if d in relevant)
    ideal = sum(1.0 / np.log2(r + 1) for r in range(1, len(relevant) + 1))
    return float(dcg / ideal)
