# sub-vector j taken as every m-th dimension (x[:, j::m]) instead of a contiguous block
def pq_encode(x, centroids):
    x, centroids = np.asarray(x, dtype=float), np.asarray(centroids, dtype=float)
    m, K, dsub = centroids.shape
    out = []
    for j in range(m):
        sub = x[:, j::m]
        out.append(((sub[:, None, :] - centroids[j][None]) ** 2).sum(2).argmin(1))
    return np.stack(out, axis=1)
