# discounts by log2(rank) instead of log2(rank + 1) (and guards rank 1 by giving it gain 1)
def retrieval_measures(scores, relevant):
    S = np.asarray(scores, dtype=float)
    rel = np.asarray(relevant)
    own = S[np.arange(len(rel)), rel]
    rank = (S >= own[:, None]).sum(axis=1)
    gain = np.where(rank == 1, 1.0, 1.0 / np.log2(np.maximum(rank, 2)))
    return {"recall@10": float(np.mean(rank <= 10)), "MRR": float(np.mean(1.0 / rank)),
            "nDCG@10": float(np.mean(np.where(rank <= 10, gain, 0.0)))}
