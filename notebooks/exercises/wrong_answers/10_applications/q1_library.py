# calls the course's reference instead of writing equation (10.1)
from embedlab import search


def recall_at_k(found, exact):
    if np.shape(found) != np.shape(exact):
        raise ValueError("found and exact must have the same shape")
    return float(search.recall_at_k(np.asarray(found), np.asarray(exact)))
