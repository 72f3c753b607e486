# sorts similarities in ascending order, so it takes the k least similar clips
def precision_at_k(E, words, speakers, k):
    E = np.asarray(E, dtype=float)
    U = E / np.linalg.norm(E, axis=1, keepdims=True)
    S = U @ U.T
    words, speakers = np.asarray(words), np.asarray(speakers)
    S[speakers[:, None] == speakers[None, :]] = np.inf
    top = np.argsort(S, axis=1, kind="stable")[:, :k]
    return float((words[top] == words[:, None]).mean())
