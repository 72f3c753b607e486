# wraps the course's reference metric
from embedlab import applications


def hit_rate_at_k(recommendations, held_out, k):
    return applications.hit_rate_at_k(np.asarray(recommendations), np.asarray(held_out), k)
