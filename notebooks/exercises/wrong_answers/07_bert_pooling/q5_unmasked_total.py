# masks the weighted sum but divides by the weights of all T positions, padding included
def weighted_mean(hidden, mask):
    hidden, mask = np.asarray(hidden, dtype=float), np.asarray(mask, dtype=float)
    if hidden.ndim != 3 or mask.shape != hidden.shape[:2]:
        raise ValueError("shapes do not fit")
    if np.any(mask.sum(axis=1) == 0):
        raise ValueError("a text has no real token")
    positions = np.arange(1, mask.shape[1] + 1)
    return (hidden * (mask * positions)[:, :, None]).sum(axis=1) / positions.sum()
