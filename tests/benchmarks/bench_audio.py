"""Audio features from scratch (embedlab.audio) against library references: time per batch of clips.

* STFT of 240 test clips: ``audio.stft`` (NumPy) vs ``torch.stft`` (float64, same settings);
* MFCC of the same clips: ``audio.mfcc`` vs ``librosa.feature.mfcc`` (float64, same settings);
* Whisper-base encoder on one clip, 30-s window vs the clip alone (why the lesson caches it).

Goal: within 2x of the reference for the features (ratio = reference / ours >= 0.5); the
Whisper row is informational. Each time is the best of 3, with 2 threads.
"""

from __future__ import annotations


import numpy as np
from timing import best_seconds

REPEATS = 3


def bench() -> list[dict]:
    import librosa
    import torch

    import embedlab
    from embedlab import audio

    embedlab.setup(verbose=False)
    waves, meta, _, _ = audio.evaluation_clips()
    clips = [w.astype(np.float64) for w, e in zip(waves, meta.engine) if e != "human"]
    window = torch.hann_window(audio.N_FFT, dtype=torch.float64)
    rows = [
        {"benchmark": f"STFT, {len(clips)} clips", "goal": "ratio >= 0.5",
         "ours_s": best_seconds(lambda: [audio.stft(x) for x in clips]),
         "reference_s": best_seconds(lambda: [torch.stft(torch.from_numpy(x), audio.N_FFT, audio.HOP_LENGTH, window=window,
                                                  return_complex=True) for x in clips]),
         "reference": "torch.stft"},
        {"benchmark": f"MFCC, {len(clips)} clips", "goal": "ratio >= 0.5",
         "ours_s": best_seconds(lambda: [audio.mfcc(x) for x in clips]),
         "reference_s": best_seconds(lambda: [librosa.feature.mfcc(y=x, sr=16000, n_mfcc=13, n_fft=400, hop_length=160, n_mels=40,
                                                            pad_mode="reflect") for x in clips]),
         "reference": "librosa.feature.mfcc"},
    ]
    try:
        model = audio.load_whisper()
    except ModuleNotFoundError as error:
        rows.append({"benchmark": "Whisper-base encoder", "goal": "information", "ours_s": float("nan"),
                     "reference_s": float("nan"), "notes": str(error)})
        return rows
    rows.append({"benchmark": "Whisper-base encoder, 1 clip: 30-s window (ours) vs clip alone", "goal": "information",
                 "ours_s": best_seconds(lambda: audio.whisper_embed(model, clips[:1])),
                 "reference_s": best_seconds(lambda: audio.whisper_embed(model, clips[:1], pad_to=None))})
    for row in rows:
        row["ratio"] = row["reference_s"] / row["ours_s"]
    return rows
