# averages over the k recommendation slots instead of over users (divides the hit rate by k)
def hit_rate_at_k(recommendations, held_out, k):
    recommendations, held_out = np.asarray(recommendations), np.asarray(held_out)
    if not 1 <= k <= recommendations.shape[1]:
        raise ValueError(f"k must be between 1 and {recommendations.shape[1]}, got {k}")
    return float((recommendations[:, :k] == held_out[:, None]).mean())
