# discounts by log2(r + 2) with ranks from 1 (an off-by-one in the discount)
def ndcg_at_k(ranking, relevant, k):
    dcg = sum(1.0 / np.log2(r + 2) for r, d in enumerate(list(ranking)[:k], start=1) if d in relevant)
    ideal = sum(1.0 / np.log2(r + 2) for r in range(1, min(k, len(relevant)) + 1))
    return float(dcg / ideal)
