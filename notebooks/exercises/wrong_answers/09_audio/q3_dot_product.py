# ranks by the raw dot product: rows are not normalised, so long vectors look near everything
def precision_at_k(E, words, speakers, k):
    E = np.asarray(E, dtype=float)
    S = E @ E.T
    words, speakers = np.asarray(words), np.asarray(speakers)
    S[speakers[:, None] == speakers[None, :]] = -np.inf
    top = np.argsort(-S, axis=1, kind="stable")[:, :k]
    return float((words[top] == words[:, None]).mean())
