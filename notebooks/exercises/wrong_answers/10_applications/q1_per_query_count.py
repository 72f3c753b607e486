# divides the hits by the number of queries instead of by the number of true neighbours
def recall_at_k(found, exact):
    found, exact = np.asarray(found), np.asarray(exact)
    if found.shape != exact.shape:
        raise ValueError("found and exact must have the same shape")
    hits = sum(len(set(f.tolist()) & set(e.tolist())) for f, e in zip(found, exact))
    return float(hits / len(exact))
