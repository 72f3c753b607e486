# uses scikit-learn's NearestNeighbors, which the rule forbids
from sklearn.neighbors import NearestNeighbors


def neighbour_overlap(X, Y, k):
    a = NearestNeighbors(n_neighbors=k).fit(X).kneighbors(return_distance=False)
    b = NearestNeighbors(n_neighbors=k).fit(Y).kneighbors(return_distance=False)
    return float(np.mean([len(set(p) & set(q)) for p, q in zip(a, b)]) / k)
