# counts positions from 0, so the first token ([CLS]) gets weight 0
def weighted_mean(hidden, mask):
    hidden, mask = np.asarray(hidden, dtype=float), np.asarray(mask, dtype=float)
    if hidden.ndim != 3 or mask.shape != hidden.shape[:2]:
        raise ValueError("shapes do not fit")
    weights = mask * np.arange(mask.shape[1])
    total = weights.sum(axis=1, keepdims=True)
    if np.any(mask.sum(axis=1) == 0):
        raise ValueError("a text has no real token")
    return (hidden * weights[:, :, None]).sum(axis=1) / np.maximum(total, 1e-12)
