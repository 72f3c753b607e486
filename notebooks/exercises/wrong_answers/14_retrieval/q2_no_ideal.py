# divides by the ideal of ONE relevant document (1) whatever the number of relevant documents
def ndcg_at_k(ranking, relevant, k):
    return float(sum(1.0 / np.log2(r + 1) for r, d in enumerate(list(ranking)[:k], start=1) if d in relevant))
