# computes every word's gradient at the start vector and applies their sum once (not sequential)
def dbow_pass(word_ids, U, d0, negatives, lr):
    U = np.asarray(U, dtype=float)
    d = np.array(d0, dtype=float)
    total = np.zeros_like(d)
    for w, noise in zip(word_ids, negatives):
        u_w, u_n = U[w], U[np.asarray(noise, dtype=int)]
        total += (1 / (1 + np.exp(-(u_w @ d))) - 1) * u_w + (1 / (1 + np.exp(-(u_n @ d)))) @ u_n
    return d - lr * total
