# forgets the orthonormal scaling: the plain DCT-II sum 2 * sum cos(...) * L
def mfcc_from_log_mel(log_mel, n_mfcc=13):
    L = np.asarray(log_mel, dtype=float)
    M = L.shape[0]
    j, m = np.arange(n_mfcc)[:, None], np.arange(M)[None, :]
    return 2.0 * np.cos(np.pi * j * (2 * m + 1) / (2 * M)) @ L
