# scales the unit-vector formula by the product of the lengths: sqrt(|a| |b| (2 - 2 cos))
def distance_from_cosine(cos, norm_a=1.0, norm_b=1.0):
    return float(np.sqrt(max(norm_a * norm_b * (2.0 - 2.0 * cos), 0.0)))
