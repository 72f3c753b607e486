"""Spoken words at 16 kHz with word and speaker labels.

*Synthetic* (``audio/spoken_words_synth.*``): 30 words (the ten digits, ten command words,
ten everyday words) said by 40 synthetic "speakers":

* espeak-ng: 7 English accents x 5 voice variants (``+m3``, ``+f2``, ``+klatt`` ...), each
  speaker with its own speed (words/min) and pitch drawn once with a fixed seed;
* flite: its 5 general-purpose voices (kal, kal16, awb, rms, slt).

The audio is the programs' *output*, which their licences (GPL-3+ for espeak-ng, a
BSD-style licence for flite) do not restrict; we dedicate these clips to the public domain
(CC0-1.0).

*Real* (``audio/spoken_words_asterisk.*``): 20 of the words recorded by one
professional speaker (Allison Smith) for the Asterisk PBX, CC-BY-SA-3.0, kept in their own
files with the licence text in ``data/LICENSES``. They are 8 kHz recordings upsampled to
16 kHz (no content above 4 kHz).

Processing: mono, resampled to 16 kHz with ``scipy.signal.resample_poly``, leading and
trailing silence trimmed (level below 1 % of full scale, 10 ms margin), peak-normalised to
0.9 of full scale, stored as int16 samples concatenated with offsets in an npz.
Split: by speaker, one espeak-ng speaker per accent and one flite voice are "test".
"""

from __future__ import annotations

import io
import subprocess
import wave
from pathlib import Path

import numpy as np

from . import fetch
from .common import DATA, Output
from .io import write_npz, write_tsv

SR = 16_000
SEED = 0
DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
COMMANDS = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"]
EVERYDAY = ["hello", "goodbye", "today", "tomorrow", "yesterday", "minutes", "hours",
            "monday", "friday", "sunday"]
WORDS = DIGITS + COMMANDS + EVERYDAY
ACCENTS = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan",
           "en-gb-x-gbcwmd", "en-029"]
VARIANTS = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5",
            "klatt", "klatt2", "klatt3", "klatt4", "iven", "john", "linda", "max", "paul",
            "robert", "steph", "travis", "zac", "anika", "edward", "grandma", "grandpa"]
PER_ACCENT = 5
FLITE_VOICES = ["awb", "kal", "kal16", "rms", "slt"]
FLITE_TEST = "rms"
ASTERISK = {  # word -> file under sounds/en_US_f_Allison (checked against the transcripts)
    **{w: f"digits/{i}" for i, w in enumerate(DIGITS)},
    "hello": "hello", "goodbye": "goodbye", "today": "digits/today",
    "tomorrow": "digits/tomorrow", "yesterday": "digits/yesterday", "minutes": "minutes",
    "hours": "hours", "monday": "digits/day-1", "friday": "digits/day-5",
    "sunday": "digits/day-0",
}


def read_wav(data: bytes) -> tuple[np.ndarray, int]:
    with wave.open(io.BytesIO(data)) as w:
        if w.getsampwidth() != 2:
            raise ValueError("expected 16-bit PCM")
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
        if w.getnchannels() > 1:
            x = x.reshape(-1, w.getnchannels()).mean(axis=1)
        return x / 32768.0, w.getframerate()


def to_16k(x: np.ndarray, sr: int) -> np.ndarray:
    from math import gcd

    from scipy.signal import resample_poly

    if sr == SR:
        return x
    g = gcd(SR, sr)
    return resample_poly(x, SR // g, sr // g)


def trim_and_normalise(x: np.ndarray, level: float = 0.01, margin: int = 160) -> np.ndarray:
    """Cut leading/trailing samples below ``level`` x peak, keep ``margin``; peak -> 0.9."""
    peak = float(np.abs(x).max()) if x.size else 0.0
    if peak == 0.0:
        raise ValueError("silent clip")
    loud = np.flatnonzero(np.abs(x) > level * peak)
    x = x[max(0, loud[0] - margin) : loud[-1] + margin + 1]
    return x * (0.9 / peak)


def to_int16(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x * 32767.0), -32768, 32767).astype(np.int16)


def espeak(word: str, voice: str, speed: int, pitch: int) -> bytes:
    return subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch),
                           "--stdout", word], check=True, capture_output=True).stdout


def flite(word: str, voice: str, tmp: Path) -> bytes:
    out = tmp / f"flite_{voice}.wav"
    subprocess.run(["flite", "-voice", voice, "-t", word, "-o", str(out)], check=True,
                   capture_output=True)
    return out.read_bytes()


def espeak_speakers(seed: int = SEED) -> list[dict]:
    rng = np.random.default_rng(seed)
    speakers = []
    for accent in ACCENTS:
        variants = rng.choice(VARIANTS, PER_ACCENT, replace=False)
        test = int(rng.integers(PER_ACCENT))
        for k, var in enumerate(variants):
            speakers.append({"speaker": f"espeak_{accent}_{var}", "engine": "espeak-ng",
                             "voice": f"{accent}+{var}", "accent": accent,
                             "speed": int(rng.integers(130, 200)),
                             "pitch": int(rng.integers(25, 75)),
                             "split": "test" if k == test else "train"})
    return speakers


def pack(clips: list[np.ndarray]) -> dict[str, np.ndarray]:
    lengths = np.array([len(c) for c in clips], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    return {"samples": np.concatenate(clips), "offsets": offsets,
            "sample_rate": np.array(SR, dtype=np.int64)}


COLUMNS = ["word", "speaker", "engine", "voice", "accent", "speed", "pitch", "source", "split",
           "licence"]


def build() -> list[Output]:
    v_espeak = fetch.apt_install("espeak-ng")
    v_flite = fetch.apt_install("flite")
    tmp = fetch.SCRATCH / "audio_tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    clips, rows = [], []
    for sp in espeak_speakers():
        for w in WORDS:
            x, sr = read_wav(espeak(w, sp["voice"], sp["speed"], sp["pitch"]))
            clips.append(to_int16(trim_and_normalise(to_16k(x, sr))))
            rows.append((w, sp["speaker"], "espeak-ng", sp["voice"], sp["accent"], sp["speed"],
                         sp["pitch"], f"espeak-ng {v_espeak}", sp["split"], "CC0-1.0"))
    for voice in FLITE_VOICES:
        for w in WORDS:
            x, sr = read_wav(flite(w, voice, tmp))
            clips.append(to_int16(trim_and_normalise(to_16k(x, sr))))
            rows.append((w, f"flite_{voice}", "flite", voice, "en-us", 0, 0, f"flite {v_flite}",
                         "test" if voice == FLITE_TEST else "train", "CC0-1.0"))
    write_npz(DATA / "audio" / "spoken_words_synth.npz", pack(clips))
    write_tsv(DATA / "audio" / "spoken_words_synth.tsv", rows, COLUMNS)
    fetch.log(f"audio: {len(clips)} synthetic clips, {len({r[1] for r in rows})} speakers, "
              f"{sum(map(len, clips)) / SR:.0f} s")

    root, v_ast = fetch.deb("asterisk-core-sounds-en-wav")
    troot, v_ast_t = fetch.deb("asterisk-core-sounds-en")
    base = root / "usr/share/asterisk/sounds/en_US_f_Allison"
    import gzip

    transcripts = {}
    for line in gzip.open(troot / "usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz",
                          "rt", encoding="utf-8", errors="replace"):
        if ":" in line:
            k, v = line.split(":", 1)
            transcripts[k.strip()] = v.strip().lower().rstrip(".")
    aclips, arows = [], []
    for w, f in ASTERISK.items():
        if w not in transcripts.get(f, ""):
            raise RuntimeError(f"asterisk transcript of {f} is {transcripts.get(f)!r}, not {w!r}")
        x, sr = read_wav((base / f"{f}.wav").read_bytes())
        aclips.append(to_int16(trim_and_normalise(to_16k(x, sr))))
        arows.append((w, "asterisk_allison", "human", f, "en-us", 0, 0,
                      f"asterisk-core-sounds-en-wav {v_ast}", "test", "CC-BY-SA-3.0"))
    write_npz(DATA / "audio" / "spoken_words_asterisk.npz", pack(aclips))
    write_tsv(DATA / "audio" / "spoken_words_asterisk.tsv", arows, COLUMNS)
    lic = DATA / "LICENSES"
    lic.mkdir(parents=True, exist_ok=True)
    (lic / "asterisk-core-sounds-en.txt").write_bytes(
        (root / "usr/share/doc/asterisk-core-sounds-en-wav/copyright").read_bytes())
    fetch.log(f"audio: {len(aclips)} asterisk clips")

    s_synth = [f"deb:espeak-ng={v_espeak}", f"deb:flite={v_flite}", "pip:scipy (resampling)"]
    s_ast = [f"deb:asterisk-core-sounds-en-wav={v_ast}", f"deb:asterisk-core-sounds-en={v_ast_t}"]
    cc0 = "CC0-1.0 (synthesised with espeak-ng GPL-3+ / flite BSD-style; output unrestricted)"
    by_sa = "CC-BY-SA-3.0, (c) 2003-2010 Allison Smith (see LICENSES/asterisk-core-sounds-en.txt)"
    return [
        Output("audio/spoken_words_synth.npz", cc0, s_synth, "audio"),
        Output("audio/spoken_words_synth.tsv", cc0, s_synth, "audio"),
        Output("audio/spoken_words_asterisk.npz", by_sa, s_ast, "audio",
               notes="8 kHz recordings upsampled to 16 kHz"),
        Output("audio/spoken_words_asterisk.tsv", by_sa, s_ast, "audio"),
        Output("LICENSES/asterisk-core-sounds-en.txt", "CC-BY-SA-3.0 (licence text)", s_ast,
               "audio", notes="copyright file of the Debian package"),
    ]
