# uses the Slaney mel scale (linear below 1 kHz, logarithmic above) instead of the HTK formula
def htk_mel_filters(n_mels, n_fft=400, sample_rate=16000):
    f_sp, min_log_hz, logstep = 200.0 / 3, 1000.0, np.log(6.4) / 27.0
    min_log_mel = min_log_hz / f_sp

    def to_mel(f):
        f = np.asarray(f, dtype=float)
        return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-12) / min_log_hz) / logstep, f / f_sp)

    def to_hz(m):
        m = np.asarray(m, dtype=float)
        return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)

    edges = to_hz(np.linspace(0.0, to_mel(sample_rate / 2), n_mels + 2))
    f = np.arange(n_fft // 2 + 1) * sample_rate / n_fft
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    return np.maximum(0.0, np.minimum((f - lower) / (centre - lower), (upper - f) / (upper - centre)))
