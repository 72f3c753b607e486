# keeps the unit-vector formula sqrt(2 - 2 cos) and ignores the two lengths
def distance_from_cosine(cos, norm_a=1.0, norm_b=1.0):
    return float(np.sqrt(max(2.0 - 2.0 * cos, 0.0)))
