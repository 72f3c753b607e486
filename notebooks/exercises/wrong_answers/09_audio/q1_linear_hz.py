# spaces the filter edges equally in Hz instead of on the mel scale
def htk_mel_filters(n_mels, n_fft=400, sample_rate=16000):
    edges = np.linspace(0.0, sample_rate / 2, n_mels + 2)
    f = np.arange(n_fft // 2 + 1) * sample_rate / n_fft
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    return np.maximum(0.0, np.minimum((f - lower) / (centre - lower), (upper - f) / (upper - centre)))
