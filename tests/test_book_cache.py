"""make test executes each notebook once (issue #27): nbval's runs fill the book's execution cache.

tests/book_cache.py stores each notebook nbval ran without an error in the book's jupyter-cache;
the book build (``execute_notebooks: cache``) then finds it and executes nothing. A notebook
whose cell raises is not stored, and an older stored run of it is dropped, so the book build
executes it and fails as well.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]


def test_the_notebook_stage_fills_the_cache_the_book_reads():
    config = yaml.safe_load((ROOT / "book" / "_config.yml").read_text())
    makefile = (ROOT / "Makefile").read_text()
    assert config["execute"]["execute_notebooks"] == "cache", "the book must take notebooks from its cache"
    cache = re.search(r"^BOOK_CACHE := (\S+)$", makefile, re.M)
    assert cache and cache.group(1) == config["execute"]["cache"], \
        "Makefile's BOOK_CACHE must be the book's execute.cache (book/_config.yml)"
    assert "-p book_cache --book-cache=$(BOOK_CACHE)" in makefile, "the notebook stage must fill the book's cache"
    assert config["execute"].get("raise_on_error") and not config["execute"].get("allow_errors"), \
        "the book must fail on a notebook that raises"


def _write(path, sources):
    nb = new_notebook(cells=[new_markdown_cell("# t")] + [new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return path


def test_only_notebooks_that_ran_cleanly_are_cached(tmp_path):
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    ok = _write(tmp_path / "ok.ipynb", ["x = 41\nprint('hello')", "x + 1"])
    bad = _write(tmp_path / "bad.ipynb", ["x = 1", "raise ValueError('boom')", "x"])
    cache_dir = tmp_path / "cache"
    # an earlier, successful run of bad.ipynb's source sits in the cache: it must not survive
    stale = nbformat.read(str(bad), as_version=4)
    get_cache(str(cache_dir)).cache_notebook_bundle(CacheBundleIn(stale, str(bad)), check_validity=False)

    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--rootdir", str(tmp_path), "--nbval-lax",
         "-p", "book_cache", f"--book-cache={cache_dir}", str(ok), str(bad), "-q"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout[-2000:]  # bad.ipynb fails the notebook stage
    assert "1 notebook(s) stored" in done.stdout and "not stored" in done.stdout and "bad.ipynb" in done.stdout

    cache = get_cache(str(cache_dir))
    _, merged = cache.merge_match_into_notebook(nbformat.read(str(ok), as_version=4))
    code = [c for c in merged.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == [1, 2]
    assert code[0].outputs[0]["text"] == "hello\n"
    assert code[1].outputs[0]["data"]["text/plain"] == "42"
    try:
        cache.match_cache_notebook(nbformat.read(str(bad), as_version=4))
        raise AssertionError("a notebook that raised is in the book's cache: the book would not execute it")
    except KeyError:
        pass
