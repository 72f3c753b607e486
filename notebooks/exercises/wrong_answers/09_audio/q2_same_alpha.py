# scales every row by sqrt(2 / M), forgetting that row 0 takes sqrt(1 / M)
def mfcc_from_log_mel(log_mel, n_mfcc=13):
    L = np.asarray(log_mel, dtype=float)
    M = L.shape[0]
    j, m = np.arange(n_mfcc)[:, None], np.arange(M)[None, :]
    return np.sqrt(2.0 / M) * np.cos(np.pi * j * (2 * m + 1) / (2 * M)) @ L
