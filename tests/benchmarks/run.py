"""Run every benchmark in this folder and print one table (``make bench``).

A benchmark is a module ``bench_<topic>.py`` here with a function ``bench()`` that
returns a list of rows (dicts). Every row has at least ``benchmark``, ``ours_s``,
``reference_s`` and ``goal``; ``ratio`` (reference time / our time, so above 1 means we
are faster) is added here when missing, and any other keys are printed as notes.
Benchmarks measure; they do not assert. Goals are stated in the issues.

    python tests/benchmarks/run.py            # all
    python tests/benchmarks/run.py similarity # only bench_similarity.py
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path

# OpenMP threads that spin after a parallel region (scikit-learn, numba) would steal the
# CPU from whatever is timed next; passive waiting keeps the comparisons fair.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))  # the benchmarks share timing.py
CORE_COLUMNS = ("benchmark", "ours_s", "reference_s", "ratio", "goal")


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _format(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def main(selected: list[str]) -> int:
    paths = sorted(HERE.glob("bench_*.py"))
    if selected:
        paths = [p for p in paths if p.stem.removeprefix("bench_") in selected]
        if not paths:
            print(f"no benchmark named {selected}; have: {[p.stem for p in HERE.glob('bench_*.py')]}")
            return 2
    rows = []
    for path in paths:
        start = time.perf_counter()
        print(f"running {path.name} ...", flush=True)
        for row in _load(path).bench():
            if "ratio" not in row and row.get("ours_s") and row.get("reference_s"):
                row["ratio"] = row["reference_s"] / row["ours_s"]
            rows.append(row)
        print(f"  done in {time.perf_counter() - start:.0f} s", flush=True)
    extra = [k for row in rows for k in row if k not in CORE_COLUMNS]
    columns = list(CORE_COLUMNS) + list(dict.fromkeys(extra))
    cells = [[_format(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) if cells else len(c) for i, c in enumerate(columns)]
    print()
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    print("  ".join("-" * w for w in widths))
    for r in cells:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)))
    print("\nratio = reference time / our time (above 1: ours is faster)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
