# ranks documents by raw dot product, so long documents win
def precision_at_k(query_vectors, query_labels, doc_vectors, doc_labels, k):
    Q = np.asarray(query_vectors, dtype=float)
    D = np.asarray(doc_vectors, dtype=float)
    best = np.argsort(-(Q @ D.T), axis=1, kind="stable")[:, :k]
    return float(np.mean(np.asarray(doc_labels)[best] == np.asarray(query_labels)[:, None]))
