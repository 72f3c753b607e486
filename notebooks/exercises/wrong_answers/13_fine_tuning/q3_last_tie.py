# truncates and renormalises correctly, but breaks ties towards the LAST index (argmax of the reversed columns)
def truncated_top1(queries, corpus, dim):
    Q = np.asarray(queries, dtype=float)
    C = np.asarray(corpus, dtype=float)
    if not 1 <= dim <= Q.shape[1]:
        raise ValueError(f"dim must be in 1..{Q.shape[1]}, got {dim}")
    q = Q[:, :dim] / np.linalg.norm(Q[:, :dim], axis=1, keepdims=True)
    c = C[:, :dim] / np.linalg.norm(C[:, :dim], axis=1, keepdims=True)
    S = q @ c.T
    return S.shape[1] - 1 - np.argmax(S[:, ::-1], axis=1)
