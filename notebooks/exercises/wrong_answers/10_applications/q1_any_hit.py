# counts a query as a full hit as soon as one true neighbour was found (hit rate, not recall)
def recall_at_k(found, exact):
    found, exact = np.asarray(found), np.asarray(exact)
    if found.shape != exact.shape:
        raise ValueError("found and exact must have the same shape")
    return float(np.mean([len(set(f.tolist()) & set(e.tolist())) > 0 for f, e in zip(found, exact)]))
