"""Course tooling (not lesson content): release and grading of exercises, slides.

This is the one place that knows where the course's notebooks live and which files are
lessons: ``NN_topic.ipynb`` in ``notebooks/``, their exercises under the same names in
``notebooks/exercises/``.
"""

from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
LESSONS_DIR = REPO / "notebooks"
EXERCISES_DIR = LESSONS_DIR / "exercises"
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"


def notebooks(folder: Path = LESSONS_DIR) -> list[Path]:
    """The ``NN_topic.ipynb`` notebooks in ``folder``, in course order (lessons by default)."""
    return sorted(Path(folder).glob(NOTEBOOK_GLOB))
