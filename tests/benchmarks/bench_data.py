"""Benchmarks of the data loaders (``make bench``): load times of the committed sets."""

from __future__ import annotations

import lzma
from collections import Counter
from timing import best_seconds


def bench() -> list[dict]:
    from embedlab import data

    rows = []
    path = data.verify("corpus/corpus_full.txt.xz")

    def ours():
        data._corpus_cache.clear()
        data.load_corpus("full")

    def reference():  # what one would write by hand: read the xz, count the tokens
        with lzma.open(path, "rt", encoding="utf-8") as f:
            counts = Counter(tok for line in f for tok in line.split())
        return counts

    rows.append({"benchmark": "load_corpus('full') (6.2M tokens) vs Counter over the xz",
                 "ours_s": best_seconds(ours, 1), "reference_s": best_seconds(reference, 1),
                 "goal": "< 10 s, < 1 GB; within 2x of just counting"})

    def verify_cold():
        data._verified.clear()
        data.verify("corpus/corpus_full.txt.xz")

    rows.append({"benchmark": "sha256 check of corpus_full.txt.xz (first load per process)",
                 "ours_s": best_seconds(verify_cold, 3), "reference_s": best_seconds(reference, 1),
                 "goal": "small next to reading the file"})

    def images():
        data._verified.clear()
        data.load_image_captions()

    rows.append({"benchmark": "load_image_captions() incl. checksum", "ours_s": best_seconds(images, 3),
                 "reference_s": None, "goal": "< 1 s"})

    def audio():
        data._verified.clear()
        data.load_audio(padded=True)

    rows.append({"benchmark": "load_audio(padded=True) incl. checksum", "ours_s": best_seconds(audio, 3),
                 "reference_s": None, "goal": "< 1 s"})
    return rows
