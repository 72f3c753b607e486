# looks through all m recommendations instead of the first k
def hit_rate_at_k(recommendations, held_out, k):
    recommendations, held_out = np.asarray(recommendations), np.asarray(held_out)
    if not 1 <= k <= recommendations.shape[1]:
        raise ValueError(f"k must be between 1 and {recommendations.shape[1]}, got {k}")
    return float((recommendations == held_out[:, None]).any(axis=1).mean())
