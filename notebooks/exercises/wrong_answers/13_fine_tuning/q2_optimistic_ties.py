# ties counted in the relevant document's favour: a constant scorer looks perfect
def retrieval_measures(scores, relevant):
    S = np.asarray(scores, dtype=float)
    rel = np.asarray(relevant)
    own = S[np.arange(len(rel)), rel]
    rank = 1 + (S > own[:, None]).sum(axis=1)
    return {"recall@10": float(np.mean(rank <= 10)), "MRR": float(np.mean(1.0 / rank)),
            "nDCG@10": float(np.mean(np.where(rank <= 10, 1.0 / np.log2(rank + 1), 0.0)))}
