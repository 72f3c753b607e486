# faiss's ProductQuantizer given the centroids (the question rules faiss out)
def pq_encode(x, centroids):
    import faiss
    m, K, dsub = np.shape(centroids)
    pq = faiss.ProductQuantizer(m * dsub, m, int(np.log2(K)))
    faiss.copy_array_to_vector(np.ascontiguousarray(centroids, dtype=np.float32).ravel(), pq.centroids)
    return pq.compute_codes(np.ascontiguousarray(x, dtype=np.float32)).astype(np.int64)
