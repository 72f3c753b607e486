# uses the first codebook for every sub-space
def pq_encode(x, centroids):
    x, centroids = np.asarray(x, dtype=float), np.asarray(centroids, dtype=float)
    m, K, dsub = centroids.shape
    out = []
    for j in range(m):
        sub = x[:, j * dsub:(j + 1) * dsub]
        out.append(((sub[:, None, :] - centroids[0][None]) ** 2).sum(2).argmin(1))
    return np.stack(out, axis=1)
