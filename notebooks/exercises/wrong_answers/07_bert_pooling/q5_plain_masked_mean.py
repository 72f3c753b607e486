# forgets the position weights: returns the plain masked mean
def weighted_mean(hidden, mask):
    hidden, mask = np.asarray(hidden, dtype=float), np.asarray(mask, dtype=float)
    if hidden.ndim != 3 or mask.shape != hidden.shape[:2]:
        raise ValueError("shapes do not fit")
    counts = mask.sum(axis=1, keepdims=True)
    if np.any(counts == 0):
        raise ValueError("a text has no real token")
    return (hidden * mask[:, :, None]).sum(axis=1) / counts
