# an off-by-one: looks at the first k - 1 recommendations
def hit_rate_at_k(recommendations, held_out, k):
    recommendations, held_out = np.asarray(recommendations), np.asarray(held_out)
    if not 1 <= k <= recommendations.shape[1]:
        raise ValueError(f"k must be between 1 and {recommendations.shape[1]}, got {k}")
    return float((recommendations[:, :max(k - 1, 1)] == held_out[:, None]).any(axis=1).mean())
