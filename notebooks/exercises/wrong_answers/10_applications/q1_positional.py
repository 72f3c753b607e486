# compares the two rows position by position, so the same neighbours in another order count as misses
def recall_at_k(found, exact):
    found, exact = np.asarray(found), np.asarray(exact)
    if found.shape != exact.shape:
        raise ValueError("found and exact must have the same shape")
    return float((found == exact).mean())
