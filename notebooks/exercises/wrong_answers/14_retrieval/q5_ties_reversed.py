# sorts by equal bits ascending and reverses: ties come out with the larger index first
def binary_rescore(queries, docs, shortlist, k):
    queries, docs = np.asarray(queries, dtype=float), np.asarray(docs, dtype=float)
    equal = ((queries > 0)[:, None, :] == (docs > 0)[None, :, :]).sum(axis=2)
    out = []
    for i, q in enumerate(queries):
        cand = np.argsort(equal[i], kind="stable")[::-1][:shortlist]
        s = docs[cand] @ q
        out.append(cand[np.lexsort((cand, -s))][:k])
    return np.array(out)
