"""JupyterLab for instructors (`make lab-instructor`), on top of ../jupyter_server_config.py.

nbgrader's tools are all on (its menu, Create Assignment, formgrader, course list): the learners'
switches in ../learner/ are not on the config path. The file browser shows the whole repository
so that the formgrader can reach the grading folder (build/grading/, written by `make grade`).
"""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

c = get_config()  # noqa: F821 (provided by Jupyter when it loads this file)

c.ServerApp.root_dir = str(REPO)
c.LabApp.default_url = "/lab/tree/notebooks/START_HERE.md"
