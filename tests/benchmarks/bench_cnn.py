"""CNN image embeddings (lesson 12): images per second embedded by each network on 2 cores.

* EfficientNet-Lite0 (ImageNet weights) at 128 px, the lesson's size, and at 224 px, its
  training size (ours includes the resizing and normalisation of the uint8 images); reference:
  the same network with torch's channels-last memory layout on the already preprocessed tensor;
* our ResNet on 28x28 grayscale images (Fashion-MNIST size);
* lesson 08's CLIP image tower on 64x64 RGB images, for comparison.

Goal: information (images/s in the notes); each time is the best of 3 with 2 threads.
"""

from __future__ import annotations

import numpy as np
import torch
from timing import best_seconds

REPEATS = 3
N = 64


def bench() -> list[dict]:
    import embedlab
    from embedlab import clip, cnn

    embedlab.setup(verbose=False)
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, size=(N, 64, 64, 3), dtype=np.uint8)
    gray = rng.integers(0, 256, size=(N, 28, 28), dtype=np.uint8)
    rows = []
    effnet = cnn.load_efficientnet()
    for size in (128, 224):
        x = cnn.preprocess(rgb, size=size)
        ours = best_seconds(lambda: cnn.embed(effnet, rgb, size=size), REPEATS)
        channels_last = effnet.to(memory_format=torch.channels_last)

        def reference():
            with torch.inference_mode():
                channels_last.features(x.to(memory_format=torch.channels_last))

        ref = best_seconds(reference, REPEATS)
        effnet = effnet.to(memory_format=torch.contiguous_format)
        rows.append({"benchmark": f"EfficientNet-Lite0 embed, {N} images at {size} px", "ours_s": ours,
                     "reference_s": ref, "reference": "same network, channels-last", "goal": "information",
                     "notes": f"{N / ours:.1f} images/s"})
    resnet = cnn.ResNet(num_classes=10, in_channels=1).eval()
    ours = best_seconds(lambda: cnn.embed(resnet, gray), REPEATS)
    rows.append({"benchmark": f"our ResNet embed, {N} images 28x28", "ours_s": ours, "reference_s": None,
                 "goal": "information", "notes": f"{N / ours:.0f} images/s"})
    tower = clip.CLIP(dim=128)
    ours = best_seconds(lambda: clip.embed_images(tower, rgb), REPEATS)
    rows.append({"benchmark": f"CLIP image tower (lesson 08) embed, {N} images 64x64", "ours_s": ours,
                 "reference_s": None, "goal": "information", "notes": f"{N / ours:.0f} images/s"})
    for row in rows:
        row["ratio"] = row["reference_s"] / row["ours_s"] if row["reference_s"] else None
    return rows
