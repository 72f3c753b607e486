# averages the two senses' mean cosines instead of all same-sense pairs together
def sense_gap(word, sense_a, sense_b, layer=-1):
    if len(sense_a) < 2 or len(sense_b) < 2:
        raise ValueError("need at least two sentences for each sense")
    A = np.array([word_in_context(s, word, layer=layer) for s in sense_a])
    B = np.array([word_in_context(s, word, layer=layer) for s in sense_b])
    A = A / np.linalg.norm(A, axis=1, keepdims=True)
    B = B / np.linalg.norm(B, axis=1, keepdims=True)
    def within(X):
        S = X @ X.T
        return S[~np.eye(len(X), dtype=bool)].mean()
    return float((within(A) + within(B)) / 2 - (A @ B.T).mean())
