"""``data/MANIFEST``: one TSV row per committed data file.

Format (documented in data/README.md): ``#`` comment lines, then a header row
``path  sha256  bytes  licence  sources  step  command  notes`` (tab-separated), rows
sorted by path. ``sources`` is a ``;``-separated list of ``registry:package=version``.
"""

from __future__ import annotations

from pathlib import Path

from .common import Output
from embedlab.data import parse_manifest, sha256

from .io import write_text

COLUMNS = ["path", "sha256", "bytes", "licence", "sources", "step", "command", "notes"]
HEADER = [
    "# data/MANIFEST of the embedlab course: every committed file under data/ (tab-separated).",
    "# sha256 and bytes of the file; licence; sources = registry:package=version (';'-separated);",
    "# step = the build step that writes it; command = how to rebuild it. Built by `make data`.",
]


def read(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    return parse_manifest(path.read_text(encoding="utf-8"))


def _clean(s: str) -> str:
    return s.replace("\t", " ").replace("\n", " ")


def update(data_dir: Path, outputs: list[Output], steps_run: set[str]) -> dict[str, dict]:
    """Rewrite the manifest: rows of steps that ran are replaced, others kept."""
    path = data_dir / "MANIFEST"
    recs = {p: r for p, r in read(path).items() if r.get("step") not in steps_run}
    for o in outputs:
        f = data_dir / o.path
        recs[o.path] = {
            "path": o.path, "sha256": sha256(f), "bytes": str(f.stat().st_size),
            "licence": _clean(o.licence), "sources": _clean("; ".join(o.sources)),
            "step": o.step, "command": _clean(o.command), "notes": _clean(o.notes),
        }
    lines = HEADER + ["\t".join(COLUMNS)]
    for p in sorted(recs):
        lines.append("\t".join(recs[p].get(c, "") for c in COLUMNS))
    write_text(path, "\n".join(lines) + "\n")
    return recs


def record(path: Path, *, licence: str, sources: str, step: str, command: str, notes: str = "",
           data_dir: Path | None = None) -> None:
    """Add or refresh one file's row, keeping every other row.

    For files written outside the recipe, such as the trained models under
    ``data/models/`` (their ``command`` is the module command that retrains them).
    """
    from embedlab import data

    data_dir = Path(data_dir or data.DATA_DIR)
    path = Path(path)
    rel = path.resolve().relative_to(data_dir.resolve()).as_posix()
    recs = read(data_dir / "MANIFEST")
    recs[rel] = {"path": rel, "sha256": sha256(path), "bytes": str(path.stat().st_size), "licence": _clean(licence),
                 "sources": _clean(sources), "step": step, "command": _clean(command), "notes": _clean(notes)}
    lines = HEADER + ["\t".join(COLUMNS)] + ["\t".join(recs[p].get(c, "") for c in COLUMNS) for p in sorted(recs)]
    write_text(data_dir / "MANIFEST", "\n".join(lines) + "\n")


MODEL_LICENCE = "MIT (trained by this course on data/corpus; see its rows)"
CORPUS_SOURCE = "data:corpus/corpus_full.txt.xz; pip:embedlab (this repository)"


def record_trained(paths, *, step: str, command: str, notes: str = "", licence: str = MODEL_LICENCE,
                   sources: str = CORPUS_SOURCE) -> None:
    """Record the files a training command wrote, if they lie inside data/ (a run writing
    to a scratch folder leaves the manifest alone)."""
    from embedlab import data

    root = Path(data.DATA_DIR).resolve()
    for path in map(Path, paths):
        if path.resolve().is_relative_to(root):
            record(path, licence=licence, sources=sources, step=step, command=command, notes=notes)
