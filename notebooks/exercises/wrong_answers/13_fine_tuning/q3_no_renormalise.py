# normalises the full vectors, then truncates (the truncated ones are no longer unit length)
def truncated_top1(queries, corpus, dim):
    Q = np.asarray(queries, dtype=float)
    C = np.asarray(corpus, dtype=float)
    if not 1 <= dim <= Q.shape[1]:
        raise ValueError(f"dim must be in 1..{Q.shape[1]}, got {dim}")
    q = Q / np.linalg.norm(Q, axis=1, keepdims=True)
    c = C / np.linalg.norm(C, axis=1, keepdims=True)
    return np.argmax(q[:, :dim] @ c[:, :dim].T, axis=1)
