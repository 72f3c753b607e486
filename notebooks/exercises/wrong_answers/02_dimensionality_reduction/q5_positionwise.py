# compares the neighbour lists position by position instead of as sets
def neighbour_overlap(X, Y, k):
    def neighbours(A):
        A = np.asarray(A, dtype=float)
        sq = (A * A).sum(axis=1)
        dist = sq[:, None] + sq[None, :] - 2 * A @ A.T
        np.fill_diagonal(dist, np.inf)
        return np.argsort(dist, axis=1)[:, :k]

    return float(np.mean(neighbours(X) == neighbours(Y)))
