"""JupyterLab for the course, learners and instructors alike (see jupyter/README.md).

Read only when jupyter/ is on JUPYTER_CONFIG_PATH, as `make lab` and `make lab-instructor` put it.
"""

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

c = get_config()  # noqa: F821 (provided by Jupyter when it loads this file)

# Lesson notebooks in the file browser; the start page opens first.
c.ServerApp.root_dir = str(REPO / "notebooks")
c.LabApp.default_url = "/lab/tree/START_HERE.md"

# Default settings under version control (no news, no update checks, Markdown opens rendered,
# RISE's reveal.js theme one that needs no web fonts).
# The learner's own changes (theme, open tabs) stay with the course's environment (.venv),
# never in the user's global ~/.jupyter, and a global setting cannot switch the news back on.
# RISE's slideshow page (jupyterlab-rise) is a lab of its own: the same folders.
for app in (c.LabApp, c.RiseApp):
    app.app_settings_dir = str(HERE / "lab" / "settings")
    app.user_settings_dir = str(Path(sys.prefix) / "share" / "jupyter" / "lab" / "user-settings")
    app.workspaces_dir = str(Path(sys.prefix) / "share" / "jupyter" / "lab" / "workspaces")

# plotly.js for the lessons' interactive embedding maps (embedlab.explore): the installed plotly
# package's own copy, served as static/plotly.min.js by this server. Nothing comes from a CDN and
# no notebook output carries the 5 MB library.
_plotly = importlib.util.find_spec("plotly")
if _plotly is not None and _plotly.origin:
    c.ServerApp.extra_static_paths = [str(Path(_plotly.origin).parent / "package_data")]
