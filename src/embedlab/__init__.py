"""embedlab: the helper package of the embedding-models course.

Every notebook starts with::

    import embedlab
    rng = embedlab.setup()

Lesson modules (``embedlab.similarity``, ``embedlab.word2vec``, ...) are imported
explicitly by the notebooks that need them, so ``import embedlab`` stays fast.
"""

from __future__ import annotations

import os
import random
import sys
from importlib import metadata

# OpenMP threads (torch, scikit-learn) busy-wait between parallel regions by default; on a
# shared or small CPU that spinning steals the cores the work needs (seen: 15x slower).
# Only effective before torch is imported, hence here, at the top of `import embedlab`.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402

__all__ = ["setup", "explore", "DEFAULT_SEED", "KEY_LIBRARIES"]

DEFAULT_SEED = 0

# Printed by setup(): the libraries whose versions decide the numbers a lesson shows.
KEY_LIBRARIES = ("numpy", "scipy", "scikit-learn", "matplotlib", "torch", "transformers", "gensim")

# A colour-blind-safe palette (Okabe & Ito 2008), used as the default colour cycle.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def setup(seed: int = DEFAULT_SEED, threads: int = 2, verbose: bool = True) -> np.random.Generator:
    """Make a notebook repeatable and readable; call it in the first code cell.

    Seeds Python's ``random``, NumPy's legacy global RNG and torch (if installed),
    limits BLAS and torch to ``threads`` threads (the same thread count gives the same
    floating-point summation order, hence the same numbers), switches the network-using
    Hugging Face libraries to offline mode, sets a colour-blind-safe plot style and prints
    the versions of the key libraries. Returns a seeded ``numpy.random.Generator``.
    """
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if not isinstance(threads, (int, np.integer)) or threads < 1:
        raise ValueError(f"threads must be a positive integer, got {threads!r}")

    # Nothing in this course downloads: fail fast instead of hanging on a hub request.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

    random.seed(seed)
    np.random.seed(seed)

    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads)

    if "torch" in sys.modules or _version("torch"):
        import torch

        torch.manual_seed(seed)
        torch.set_num_threads(threads)

    _set_plot_style()

    if verbose:
        versions = {"python": sys.version.split()[0]}
        versions.update({name: _version(name) for name in KEY_LIBRARIES})
        print("  ".join(f"{name} {v}" for name, v in versions.items() if v))
    return np.random.default_rng(seed)


def _set_plot_style() -> None:
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update(
        {
            "axes.prop_cycle": cycler(color=OKABE_ITO),
            "figure.figsize": (6.4, 4.0),
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 11,
            "image.cmap": "viridis",
        }
    )


# The interactive embedding map (embedlab/explore.py), as `embedlab.explore(vectors, labels)`.
# Imported here, after everything above, so that the name is the function, not the module.
from embedlab.explore import explore  # noqa: E402
