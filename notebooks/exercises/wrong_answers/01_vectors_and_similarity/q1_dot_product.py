# returns the dot product, forgetting to divide by the two lengths
def cosine_similarity(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if not a.any() or not b.any():
        raise ValueError("zero vector")
    return float(a @ b)
