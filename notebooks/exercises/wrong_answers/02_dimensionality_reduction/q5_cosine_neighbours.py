# finds neighbours by cosine similarity instead of Euclidean distance
def neighbour_overlap(X, Y, k):
    def neighbours(A):
        A = np.asarray(A, dtype=float)
        U = A / np.linalg.norm(A, axis=1, keepdims=True)
        sim = U @ U.T
        np.fill_diagonal(sim, -np.inf)
        return np.argsort(-sim, axis=1)[:, :k]

    in_x, in_y = neighbours(X), neighbours(Y)
    return float(np.mean([len(np.intersect1d(a, b)) for a, b in zip(in_x, in_y)]) / k)
