# uses scikit-learn's NearestNeighbors, which the rule forbids
from sklearn.neighbors import NearestNeighbors


def precision_at_k(X, labels, k):
    labels = np.asarray(labels)
    nearest = NearestNeighbors(n_neighbors=k + 1, metric="cosine").fit(X).kneighbors(X, return_distance=False)[:, 1:]
    return float((labels[nearest] == labels[:, None]).mean())
