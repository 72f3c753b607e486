"""The course's JupyterLab settings (jupyter/), checked against the installed JupyterLab and nbgrader.

tests/browser/test_lab_browser.py checks the running lab; these checks are instant and catch an
upgrade that adds an nbgrader plugin or renames a setting.
"""

import json
import os
import re
import sys
from pathlib import Path

from embedlab.course import lab

SHARE = Path(sys.prefix) / "share" / "jupyter"
NBGRADER_STATIC = SHARE / "labextensions" / "@jupyter" / "nbgrader" / "static"
LEARNER = lab.JUPYTER_DIR / "learner"


def test_learners_get_nothing_of_nbgrader_but_validate():
    code = "".join(p.read_text(errors="replace") for p in NBGRADER_STATIC.glob("*.js"))
    plugins = set(re.findall(r'"(@jupyter/nbgrader:[a-z-]+)"', code))
    assert "@jupyter/nbgrader:menu" in plugins and "@jupyter/nbgrader:formgrader" in plugins
    disabled = json.loads((LEARNER / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    assert all(disabled.values())
    assert plugins - set(disabled) == {"@jupyter/nbgrader:validate-assignment"}

    installed = {}
    for path in (Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.d").glob("*.json"):
        installed.update(json.loads(path.read_text()).get("ServerApp", {}).get("jpserver_extensions", {}))
    nbgrader = {name for name in installed if name.startswith("nbgrader.")}
    learner = json.loads((LEARNER / "jupyter_server_config.json").read_text())["ServerApp"]["jpserver_extensions"]
    assert set(learner) == nbgrader
    assert {name for name, on in learner.items() if on} == {"nbgrader.server_extensions.validate_assignment"}


def test_no_news_and_no_update_checks_by_default():
    overrides = json.loads((lab.JUPYTER_DIR / "lab" / "settings" / "overrides.json").read_text())
    for plugin, values in overrides.items():
        package, name = plugin.split(":")
        core, extension = SHARE / "lab" / "schemas", SHARE / "labextensions" / package / "schemas"
        path = next(p for p in (core / package / f"{name}.json", extension / package / f"{name}.json") if p.exists())
        schema = json.loads(path.read_text())["properties"]
        assert set(values) <= set(schema), f"{plugin}: no such setting {set(values) - set(schema)}"
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    assert notification == {"fetchNews": "false", "checkForUpdates": False}
    # reveal.js themes that import web fonts (simple, RISE's default, among them) reach the network
    assert overrides["jupyterlab-rise:plugin"]["theme"] == "white"


def test_the_config_path_puts_the_course_first_and_keeps_the_users_extra_folders():
    env = lab.environment(base={"JUPYTER_CONFIG_PATH": "/elsewhere"})
    assert env["JUPYTER_CONFIG_PATH"].split(os.pathsep) == [
        str(LEARNER), str(lab.JUPYTER_DIR), "/elsewhere"]
    instructor = lab.environment(instructor=True, base={})["JUPYTER_CONFIG_PATH"].split(os.pathsep)
    assert instructor == [str(lab.JUPYTER_DIR / "instructor"), str(lab.JUPYTER_DIR)]
    assert "--allow-root" in lab.command() or os.geteuid() != 0
