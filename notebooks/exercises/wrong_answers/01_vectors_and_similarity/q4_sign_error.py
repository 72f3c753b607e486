# adds the cross term instead of subtracting it: |a|^2 + |b|^2 + 2 |a| |b| cos
def distance_from_cosine(cos, norm_a=1.0, norm_b=1.0):
    return float(np.sqrt(max(norm_a**2 + norm_b**2 + 2.0 * norm_a * norm_b * cos, 0.0)))
