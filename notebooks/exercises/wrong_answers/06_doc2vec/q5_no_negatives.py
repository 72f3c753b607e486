# ignores the noise words: only the true word's term of the gradient
def dbow_pass(word_ids, U, d0, negatives, lr):
    U = np.asarray(U, dtype=float)
    d = np.array(d0, dtype=float)
    for w in word_ids:
        d = d - lr * (1 / (1 + np.exp(-(U[w] @ d))) - 1) * U[w]
    return d
