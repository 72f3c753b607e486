# calls librosa's filter bank, which the question rules out
import librosa


def htk_mel_filters(n_mels, n_fft=400, sample_rate=16000):
    return librosa.filters.mel(sr=sample_rate, n_fft=n_fft, n_mels=n_mels, htk=True, norm=None).astype(float)
