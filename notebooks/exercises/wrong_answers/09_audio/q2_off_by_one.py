# numbers the mel bands from 1, so the cosines are shifted by half a band: cos(pi j (2m + 1) / 2M) with m = 1..M
def mfcc_from_log_mel(log_mel, n_mfcc=13):
    L = np.asarray(log_mel, dtype=float)
    M = L.shape[0]
    j, m = np.arange(n_mfcc)[:, None], np.arange(1, M + 1)[None, :]
    basis = np.sqrt(2.0 / M) * np.cos(np.pi * j * (2 * m + 1) / (2 * M))
    basis[0] /= np.sqrt(2.0)
    return basis @ L
