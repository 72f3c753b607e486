"""JupyterLab configured by the repository: what `make lab` and `make lab-instructor` run.

    python -m embedlab.course.lab [--instructor] [--notebooks DIR] [JupyterLab options ...]

The settings live in ``jupyter/`` (under version control; see jupyter/README.md) and reach
JupyterLab through ``JUPYTER_CONFIG_PATH``, for this command only: the user's global
``~/.jupyter`` is neither read for lab settings nor written. Learners get no news or update
checks, the start page (notebooks/START_HERE.md) first, and of nbgrader only its "Validate"
button; ``--instructor`` adds nbgrader's menu, Create Assignment, formgrader and course list.
``--notebooks DIR`` serves another copy of the notebooks, e.g. the student release
(``make student``, then ``make lab LAB_DIR=build/student/notebooks``). Other options go to
JupyterLab unchanged (e.g. ``--port=8890 --no-browser``).
"""

import argparse
import os
import sys
from pathlib import Path

from embedlab.course import REPO

JUPYTER_DIR = REPO / "jupyter"
START_PAGE = REPO / "notebooks" / "START_HERE.md"


def config_path(instructor: bool = False) -> list:
    """Jupyter config folders, highest priority first (learners' switches, then the common part)."""
    mode = JUPYTER_DIR / ("instructor" if instructor else "learner")
    return [mode, JUPYTER_DIR]


def environment(instructor: bool = False, base: dict | None = None) -> dict:
    """The environment JupyterLab runs in: ``base`` (default os.environ) with the course's config first."""
    env = dict(os.environ if base is None else base)
    paths = [str(p) for p in config_path(instructor)]
    if env.get("JUPYTER_CONFIG_PATH"):
        paths.append(env["JUPYTER_CONFIG_PATH"])
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(paths)
    return env


def command(args=(), notebooks=None) -> list:
    """The JupyterLab command line, with ``--allow-root`` when run as root.

    ``notebooks``: a folder to serve instead of the configured one (the lab opens its
    START_HERE.md if it has one, else the file browser).
    """
    extra = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    if notebooks is not None:
        folder = Path(notebooks).resolve()
        if not folder.is_dir():
            raise SystemExit(f"no such folder: {notebooks}")
        extra.append(f"--ServerApp.root_dir={folder}")
        if not (folder / START_PAGE.name).is_file():
            extra.append("--LabApp.default_url=/lab")
    return [sys.executable, "-m", "jupyterlab", *extra, *args]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--instructor", action="store_true", help="with nbgrader's instructor tools")
    parser.add_argument("--notebooks", metavar="DIR", help="serve this folder instead of notebooks/")
    options, jupyter_args = parser.parse_known_args(argv)
    cmd = command(jupyter_args, options.notebooks or None)
    os.execve(cmd[0], cmd, environment(options.instructor))


if __name__ == "__main__":
    main()
