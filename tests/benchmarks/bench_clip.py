"""CLIP (lesson 08): our symmetric InfoNCE loss vs transformers' CLIP loss, and training speed."""

import time

import numpy as np
import torch
import torch.nn.functional as F

import embedlab
from embedlab import clip
from timing import median_seconds

REPEATS = 5


def bench() -> list[dict]:
    from transformers.models.clip.modeling_clip import image_text_contrastive_loss

    embedlab.setup(verbose=False)
    rows = []
    for batch in (128, 1024):
        u = torch.randn(batch, 128, requires_grad=True)
        v = torch.randn(batch, 128, requires_grad=True)

        def ours():
            clip.clip_loss(u, v, 0.07).backward()

        def reference():
            logits_per_text = F.normalize(v, dim=1) @ F.normalize(u, dim=1).T / 0.07
            image_text_contrastive_loss(logits_per_text).backward()

        ours(), reference()  # warm up
        rows.append({"benchmark": f"InfoNCE loss + backward, batch {batch}, d=128", "ours_s": median_seconds(ours, REPEATS),
                     "reference_s": median_seconds(reference, REPEATS), "goal": "within 1.5x of transformers' CLIP loss"})

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(512, 64, 64, 3), dtype=np.uint8)
    vectors = rng.normal(size=(512, 384)).astype(np.float32)
    start = time.perf_counter()
    clip.train_clip(images, vectors, epochs=1, batch_size=128)
    seconds = time.perf_counter() - start
    rows.append({"benchmark": "train_clip, 1 epoch of 512 pairs (64x64)", "ours_s": seconds, "reference_s": None,
                 "goal": "< 10 s on 2 cores (the full run is 15 epochs x 2,331 pairs)",
                 "notes": f"{512 / seconds:.0f} pairs/s"})
    return rows
