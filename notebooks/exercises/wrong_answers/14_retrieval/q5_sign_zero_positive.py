# codes a zero coordinate as a 1 bit (x >= 0) where the question says x > 0
def binary_rescore(queries, docs, shortlist, k):
    queries, docs = np.asarray(queries, dtype=float), np.asarray(docs, dtype=float)
    equal = ((queries >= 0)[:, None, :] == (docs >= 0)[None, :, :]).sum(axis=2)
    out = []
    for i, q in enumerate(queries):
        cand = np.argsort(-equal[i], kind="stable")[:shortlist]
        s = docs[cand] @ q
        out.append(cand[np.lexsort((cand, -s))][:k])
    return np.array(out)
