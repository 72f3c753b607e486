# leaves out only the query itself, not the other clips of its speaker
def precision_at_k(E, words, speakers, k):
    E = np.asarray(E, dtype=float)
    U = E / np.linalg.norm(E, axis=1, keepdims=True)
    S = U @ U.T
    words = np.asarray(words)
    np.fill_diagonal(S, -np.inf)
    top = np.argsort(-S, axis=1, kind="stable")[:, :k]
    return float((words[top] == words[:, None]).mean())
