# counts each point as its own nearest neighbour (the diagonal is not excluded)
def neighbour_overlap(X, Y, k):
    def neighbours(A):
        A = np.asarray(A, dtype=float)
        sq = (A * A).sum(axis=1)
        dist = sq[:, None] + sq[None, :] - 2 * A @ A.T
        return np.argsort(dist, axis=1)[:, :k]

    in_x, in_y = neighbours(X), neighbours(Y)
    return float(np.mean([len(np.intersect1d(a, b)) for a, b in zip(in_x, in_y)]) / k)
