# expands |x - c|^2 but drops the factor 2 of the cross term: argmin of |c|^2 - x.c
def pq_encode(x, centroids):
    x = np.asarray(x, dtype=float)
    centroids = np.asarray(centroids, dtype=float)
    m, K, dsub = centroids.shape
    codes = np.zeros((len(x), m), dtype=np.int64)
    for j in range(m):
        sub = x[:, j * dsub:(j + 1) * dsub]
        codes[:, j] = ((centroids[j] ** 2).sum(1)[None] - sub @ centroids[j].T).argmin(1)
    return codes
