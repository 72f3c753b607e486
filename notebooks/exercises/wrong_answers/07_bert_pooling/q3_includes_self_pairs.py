# counts each sentence paired with itself (cosine 1) among the same-sense pairs
def sense_gap(word, sense_a, sense_b, layer=-1):
    if len(sense_a) < 2 or len(sense_b) < 2:
        raise ValueError("need at least two sentences for each sense")
    V = np.array([word_in_context(s, word, layer=layer) for s in list(sense_a) + list(sense_b)])
    V = V / np.linalg.norm(V, axis=1, keepdims=True)
    S = V @ V.T
    group = np.array([0] * len(sense_a) + [1] * len(sense_b))
    same = group[:, None] == group[None, :]
    return float(S[same].mean() - S[~same].mean())
