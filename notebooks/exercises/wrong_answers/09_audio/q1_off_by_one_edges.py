# takes n_mels + 1 edge frequencies instead of n_mels + 2, so it returns one filter too few
def htk_mel_filters(n_mels, n_fft=400, sample_rate=16000):
    to_mel = lambda f: 2595.0 * np.log10(1.0 + f / 700.0)
    to_hz = lambda m: 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    edges = to_hz(np.linspace(0.0, to_mel(sample_rate / 2), n_mels + 1))
    f = np.arange(n_fft // 2 + 1) * sample_rate / n_fft
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    return np.maximum(0.0, np.minimum((f - lower) / (centre - lower), (upper - f) / (upper - centre)))
