# the direction of descent (one-hot minus softmax) instead of the gradient
def score_gradient(scores):
    s = np.asarray(scores, dtype=float)
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return (np.eye(len(s)) - e / e.sum(axis=1, keepdims=True)) / len(s)
