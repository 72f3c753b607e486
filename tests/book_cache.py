"""pytest plugin: nbval's executions fill the book's execution cache (``-p book_cache``).

``make test`` runs every notebook under nbval, then builds the book, which executes every
notebook again unless jupyter-cache already holds it (``execute_notebooks: cache`` in
book/_config.yml). With ``--book-cache=book/_build/.jupyter_cache`` this plugin stores each
notebook as nbval executed it (the notebook file with nbval's outputs) in that cache, so the
book build that follows finds every notebook cached and executes none (issue #27).

Only a notebook whose every code cell ran without raising is cached. For any other notebook
(a cell raised, timed out or was skipped) the cache entry for its current source is removed,
so a stale success from an earlier run cannot hide the error: the book build executes it
again and fails as well. A notebook that ran but failed a check (``NBVAL_CHECK_OUTPUT``
mismatch, time budget) is cached: it executes, its test failure is nbval's to report.

jupyter-cache matches a notebook by the hash of its code cells (source and metadata) and its
kernelspec, so an edited notebook is never matched to an older run.
"""

from __future__ import annotations

import copy
import time
from collections import defaultdict
from pathlib import Path

import pytest

_runs: dict[Path, dict] = defaultdict(lambda: {"outputs": {}, "raised": False, "started": None, "nb": None})


def pytest_addoption(parser):
    group = parser.getgroup("book cache")
    group.addoption("--book-cache", default=None, metavar="DIR",
                    help="jupyter-cache folder of the book (book/_build/.jupyter_cache) to store executed notebooks in")


def _is_nbval_cell(item) -> bool:
    return item.path.suffix == ".ipynb" and hasattr(item, "cell_num") and hasattr(item, "test_outputs")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    if _is_nbval_cell(item) and _runs[item.path]["started"] is None:
        _runs[item.path]["started"] = time.perf_counter()
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if not _is_nbval_cell(item) or not item.config.getoption("--book-cache"):
        return
    run = _runs[item.path]
    run["nb"] = item.parent.nb  # the notebook as nbval read it (the file may change while tests run)
    report = outcome.get_result()
    if call.when == "setup" and report.outcome != "passed":
        run["raised"] = True  # kernel did not start, or the cell was skipped (NBVAL_SKIP)
    if call.when != "call":
        return
    outputs = item.test_outputs
    if report.skipped or outputs is None or any(o.get("output_type") == "error" for o in outputs) \
            or item.parent.timed_out:
        run["raised"] = True
        return
    run["outputs"][item.cell_num] = [dict(o) for o in outputs]


def pytest_sessionfinish(session):
    folder = session.config.getoption("--book-cache")
    if not folder or not _runs:
        return
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(folder)
    stored, removed = [], []
    for path, run in _runs.items():
        if run["nb"] is None:
            continue
        nb = copy.deepcopy(run["nb"])
        code = [c for c in nb.cells if c.cell_type == "code"]
        try:  # whatever happens below, never leave an earlier run of this source in the cache
            cache.remove_cache(cache.match_cache_notebook(nb).pk)
        except KeyError:
            pass
        if run["raised"] or len(run["outputs"]) != len(code):
            removed.append(path.name)
            continue
        for num, cell in enumerate(code):
            cell.outputs = [nbformat.from_dict(o) for o in run["outputs"][num]]
            cell.execution_count = num + 1
            for out in cell.outputs:
                if out.get("output_type") == "execute_result":
                    out["execution_count"] = num + 1
        seconds = time.perf_counter() - run["started"] if run["started"] else None
        cache.cache_notebook_bundle(CacheBundleIn(nb, str(path.resolve()), data={"execution_seconds": seconds}),
                                    check_validity=False, overwrite=True)
        stored.append(path.name)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"book cache {folder}: {len(stored)} notebook(s) stored for the book build"
                            + (f"; not stored (a cell raised or did not run): {', '.join(removed)}" if removed else ""))
