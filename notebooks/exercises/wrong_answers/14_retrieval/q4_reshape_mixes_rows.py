# reshapes the whole array into (m, n, dsub): sub-space j gets a block of the flat array, not column block j
def pq_encode(x, centroids):
    x = np.asarray(x, dtype=float)
    centroids = np.asarray(centroids, dtype=float)
    m, K, dsub = centroids.shape
    subs = x.reshape(m, len(x), dsub)
    codes = np.zeros((len(x), m), dtype=np.int64)
    for j in range(m):
        codes[:, j] = ((subs[j][:, None, :] - centroids[j][None]) ** 2).sum(2).argmin(1)
    return codes
