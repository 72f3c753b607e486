# the largest inner product instead of the nearest centroid
def pq_encode(x, centroids):
    x, centroids = np.asarray(x, dtype=float), np.asarray(centroids, dtype=float)
    m, K, dsub = centroids.shape
    return np.stack([(x[:, j * dsub:(j + 1) * dsub] @ centroids[j].T).argmax(axis=1) for j in range(m)], axis=1)
