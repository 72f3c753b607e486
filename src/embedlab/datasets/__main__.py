"""``python -m embedlab.datasets [--only corpus,eval,...]``: rebuild data/ (see __init__)."""

from __future__ import annotations

import argparse
import importlib
import sys
import time

from . import STEPS, manifest
from .common import DATA
from .fetch import log

MODULES = {"corpus": "corpus", "eval": "evalsets", "documents": "documents",
           "fashion": "fashion", "images": "images", "audio": "audio",
           "crosslingual": "crosslingual"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m embedlab.datasets", description=__doc__)
    ap.add_argument("--only", default=",".join(STEPS),
                    help=f"comma-separated steps (default: all of {','.join(STEPS)})")
    args = ap.parse_args(argv)
    steps = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        ap.error(f"unknown step(s) {unknown}; valid: {', '.join(STEPS)}")
    t0 = time.perf_counter()
    outputs = []
    for step in steps:
        t = time.perf_counter()
        mod = importlib.import_module(f".{MODULES[step]}", __package__)
        outputs += mod.build()
        log(f"step {step} done in {time.perf_counter() - t:.1f} s")
    recs = manifest.update(DATA, outputs, set(steps))
    total = sum(int(r["bytes"]) for r in recs.values())
    log(f"MANIFEST: {len(recs)} files, {total / 1e6:.1f} MB; "
        f"total {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
