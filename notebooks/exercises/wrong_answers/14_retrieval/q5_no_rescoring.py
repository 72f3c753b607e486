# returns the Hamming ranking without rescoring the shortlist
def binary_rescore(queries, docs, shortlist, k):
    qb, db = np.asarray(queries) > 0, np.asarray(docs) > 0
    equal = (qb[:, None, :] == db[None, :, :]).sum(axis=2)
    return np.argsort(-equal, axis=1, kind="stable")[:, :k]
