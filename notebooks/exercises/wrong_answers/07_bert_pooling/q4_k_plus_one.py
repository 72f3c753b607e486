# takes k + 1 neighbours, as if the query itself were among the documents and had to be skipped
def precision_at_k(query_vectors, query_labels, doc_vectors, doc_labels, k):
    Q = np.asarray(query_vectors, dtype=float)
    D = np.asarray(doc_vectors, dtype=float)
    Q = Q / np.maximum(np.linalg.norm(Q, axis=1, keepdims=True), 1e-300)
    D = D / np.maximum(np.linalg.norm(D, axis=1, keepdims=True), 1e-300)
    best = np.argsort(-(Q @ D.T), axis=1, kind="stable")[:, :k + 1]
    return float(np.mean(np.asarray(doc_labels)[best] == np.asarray(query_labels)[:, None]))
