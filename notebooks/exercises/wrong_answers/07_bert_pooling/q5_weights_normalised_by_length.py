# weights each token by its position divided by T (the padded width), then divides by the number of real tokens
def weighted_mean(hidden, mask):
    hidden, mask = np.asarray(hidden, dtype=float), np.asarray(mask, dtype=float)
    if hidden.ndim != 3 or mask.shape != hidden.shape[:2]:
        raise ValueError("shapes do not fit")
    counts = mask.sum(axis=1, keepdims=True)
    if np.any(counts == 0):
        raise ValueError("a text has no real token")
    weights = mask * np.arange(1, mask.shape[1] + 1) / mask.shape[1]
    return (hidden * weights[:, :, None]).sum(axis=1) / counts
