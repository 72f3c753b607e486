# averages over all T positions, padding included (the lesson's padding bug)
def masked_mean(hidden, mask):
    hidden, mask = np.asarray(hidden, dtype=float), np.asarray(mask, dtype=float)
    if hidden.ndim != 3 or mask.shape != hidden.shape[:2]:
        raise ValueError("shapes do not fit")
    if np.any(mask.sum(axis=1) == 0):
        raise ValueError("a text has no real token")
    return hidden.mean(axis=1)
