# treats the noise words like the true word: sigma(s) - 1 for them too, pulling d towards them
def dbow_pass(word_ids, U, d0, negatives, lr):
    U = np.asarray(U, dtype=float)
    d = np.array(d0, dtype=float)
    for w, noise in zip(word_ids, negatives):
        u_w, u_n = U[w], U[np.asarray(noise, dtype=int)]
        grad = (1 / (1 + np.exp(-(u_w @ d))) - 1) * u_w + (1 / (1 + np.exp(-(u_n @ d))) - 1) @ u_n
        d = d - lr * grad
    return d
