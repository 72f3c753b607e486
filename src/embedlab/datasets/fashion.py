"""A class-balanced Fashion-MNIST subset (Debian ``dataset-fashion-mnist``, MIT).

1,000 training and 200 test images per class, drawn with a fixed seed from the official
train and test sets (so the test images were never in the original training set), kept in
their original order. Stored as an npz: X_train, y_train, X_test,
y_test (uint8), class_names, and the indices into the original sets.
"""

from __future__ import annotations

import gzip
import struct

import numpy as np

from . import fetch
from .common import DATA, Output
from .io import write_npz

CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]
PER_CLASS = {"train": 1000, "test": 200}
SEED = 0


def read_idx(path) -> np.ndarray:
    raw = gzip.open(path, "rb").read()
    zero, dtype, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte idx file")
    shape = struct.unpack(">" + "I" * ndim, raw[4 : 4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def balanced_subset(y: np.ndarray, per_class: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    picks = [np.sort(rng.choice(np.flatnonzero(y == c), per_class, replace=False))
             for c in range(int(y.max()) + 1)]
    return np.sort(np.concatenate(picks))


def build() -> list[Output]:
    root, v = fetch.deb("dataset-fashion-mnist")
    d = root / "usr/share/datasets/fashion-mnist"
    arrays = {}
    for split, prefix in (("train", "train"), ("test", "t10k")):
        X = read_idx(d / f"{prefix}-images-idx3-ubyte.gz")
        y = read_idx(d / f"{prefix}-labels-idx1-ubyte.gz")
        idx = balanced_subset(y, PER_CLASS[split], SEED + (split == "test"))
        arrays[f"X_{split}"] = np.ascontiguousarray(X[idx])
        arrays[f"y_{split}"] = y[idx].astype(np.uint8)
        arrays[f"index_{split}"] = idx.astype(np.int32)
    arrays["class_names"] = np.array(CLASS_NAMES)
    write_npz(DATA / "images" / "fashion_mnist_subset.npz", arrays)
    return [Output("images/fashion_mnist_subset.npz", "MIT (Fashion-MNIST, Zalando Research)",
                   [f"deb:dataset-fashion-mnist={v}"], "fashion",
                   notes="1000 train + 200 test images per class, seed 0/1")]
