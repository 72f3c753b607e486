"""pytest plugin: a time budget per notebook for nbval (``-p notebook_budget``).

nbval runs each cell as its own test item, so pytest-timeout can only limit cells.
A lesson must run top to bottom in ``--notebook-budget`` seconds (exercise notebooks,
under ``exercises/``, in ``--exercise-budget``): this plugin adds up the cell times of
each notebook and fails the cell that takes it over budget, and every cell after it.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

_spent: dict[str, float] = defaultdict(float)


def pytest_addoption(parser):
    group = parser.getgroup("notebook budget")
    group.addoption("--notebook-budget", type=float, default=90.0, help="seconds per lesson notebook")
    group.addoption("--exercise-budget", type=float, default=30.0, help="seconds per exercise notebook")


def _budget(item) -> float:
    opt = "--exercise-budget" if "exercises" in item.path.parts else "--notebook-budget"
    return item.config.getoption(opt)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if item.path.suffix != ".ipynb" or call.when != "call":
        return
    report = outcome.get_result()
    notebook = str(item.path)
    _spent[notebook] += call.duration
    budget = _budget(item)
    if _spent[notebook] > budget and report.outcome != "failed":
        report.outcome = "failed"
        report.longrepr = (
            f"{item.path.name} has run {_spent[notebook]:.1f} s, over its budget of {budget:.0f} s "
            "(see COURSE_DESIGN: every lesson runs in about a minute on 2 CPU cores)"
        )


def pytest_terminal_summary(terminalreporter):
    if not _spent:
        return
    terminalreporter.section("notebook run times")
    for notebook, seconds in sorted(_spent.items()):
        terminalreporter.write_line(f"{seconds:7.1f} s  {notebook}")
