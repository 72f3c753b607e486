"""Containment of the grading pipeline (embedlab.course.grading): one batch grades exercise 01
handed in by an honest student and by one hostile student per kind of attack (escaping the
sandbox, reading the instructor's files, tampering with the kernel), with a short time limit.
"""

from __future__ import annotations

import copy
import socket
import threading
from pathlib import Path

import nbformat
import pytest

from embedlab.course import grading
from test_grading import BATCH_JOBS, DATA, FIRST, REPO, _by_question, _cell, _points, _read_rows, _tree_digest

# The fixture grades a whole batch (minutes on a quiet 2-core machine); the timeout covers the
# batch, not a single check.
pytestmark = pytest.mark.timeout(3600)


@pytest.fixture(scope="module")
def host_server():
    """A TCP server on the grader's loopback. The course's Python-level block allows loopback,
    so only the sandbox's own network namespace keeps a submission from reaching it (or a
    database, a Jupyter server, anything else listening on the grading machine)."""
    server = socket.create_server(("127.0.0.1", 0))
    threading.Thread(target=lambda: [server.accept()[0].close() for _ in iter(int, 1)], daemon=True).start()
    yield server.getsockname()[:2]
    server.close()


# The hostile batch grades a frozen copy of exercise 01 kept as an instructor's private
# exercise folder (grading's --source), so the attacks do not follow the course's edits.
PRIVATE = REPO / "tests" / "grading_fixtures"
PRIVATE_SOURCE = PRIVATE / f"{FIRST}.ipynb"

# The cells replacing the answer to question 1 in the hostile submissions. Where an attack
# could succeed without stopping the notebook, success runs the real answer, so a leak would
# show as full marks.
ANSWER = next(c.source for c in nbformat.read(PRIVATE_SOURCE, as_version=4).cells
              if c.metadata.get("nbgrader", {}).get("grade_id") == "q1-solution")

# Wrong answers to questions 1 and 4 (cosine 0.5 for every pair, a distance of 123) that a
# tampered kernel would pass; each tampering route below is placed before them.
WRONG_Q1 = ("def cosine_similarity(a, b):\n"
            "    if not np.any(a) or not np.any(b):\n        raise ValueError('zero vector')\n"
            "    return 0.5\n")
WRONG_Q4 = "def distance_from_cosine(cos):\n    return 123.0\n"

# Where the course's own sources could be: the installed package's repository, the usual
# checkouts. A submission that finds one runs its solutions.
READ_SOURCES = """import json, pathlib, embedlab
roots = [pathlib.Path(embedlab.__file__).resolve().parents[2], pathlib.Path.cwd().parent, pathlib.Path('/')]
found = [p for r in roots[:2] for p in r.rglob('*.ipynb') if 'exercises' in p.parts or 'grading_fixtures' in p.parts]
for path in found:
    cells = json.loads(path.read_text())['cells']
    for cell in cells:
        if cell['metadata'].get('nbgrader', {}).get('solution'):
            exec(''.join(cell['source']), globals())
print('sources found:', found)
"""

TAMPERING = {
    "patch builtins": "import builtins\nbuiltins.abs = lambda x: 0.0\n",
    "patch numpy": ("np.isclose = lambda *a, **k: True\nnp.allclose = lambda *a, **k: True\n"
                    "np.sqrt = lambda x: 123.0\n"),
    "patch embedlab": ("import embedlab.similarity as s\ns.cosine = lambda a, b: 0.5\n"
                       "embedlab.similarity.cosine = s.cosine\n"),
    "replace sys.modules entries": (
        "import sys, types\nfake = types.ModuleType('embedlab.similarity')\n"
        "fake.cosine = lambda a, b: 0.5\nfake.normalize = lambda x: x\nfake.top_k = similarity.top_k\n"
        "sys.modules['embedlab.similarity'] = fake\nsimilarity = fake\n"),
    "hide errors": (
        "import sys\nip = get_ipython()\nip.set_custom_exc((BaseException,), lambda *a, **k: None)\n"
        "ip.showtraceback = lambda *a, **k: None\nsys.excepthook = lambda *a: None\n"),
    "fake the verdict files": (
        "import json, pathlib\nfor folder in (pathlib.Path.cwd(), pathlib.Path.cwd().parent / 'verdict'):\n"
        "    for name in ('report.json', 'verdict.json'):\n"
        "        try:\n            (folder / name).write_text(json.dumps({'status': 'ok', 'reason': '',\n"
        "                'results': {q: {'passed': True} for q in ('q1-tests', 'q4-tests')}}))\n"
        "        except OSError:\n            pass\n"),
}


def _hostile(canary: Path, server: tuple[str, int]) -> dict[str, dict]:
    """kind -> {"cells": {grade_id: new source}, "points": expected points of 7, "status"}."""
    targets = [str(canary), str(DATA / "MANIFEST")]
    return {
        "infinite loop": {"cells": {"q1-solution": "while True:\n    pass"}, "points": 0, "status": "time limit"},
        "loop ignoring interrupts": {
            "cells": {"q1-solution": "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"},
            "points": 0, "status": "time limit"},
        "sys.exit": {"cells": {"q1-solution": "import sys\nsys.exit(3)"}, "points": 5, "status": "graded"},
        "os._exit": {"cells": {"q1-solution": "import os\nos._exit(3)"}, "points": 0, "status": "kernel died"},
        "raise at import (edited set-up cell)": {
            "cells": {"setup": "import embedlab_no_such_module"}, "points": 7, "status": "graded"},
        "raise in the first answer": {
            "cells": {"q1-solution": "raise RuntimeError('boom')"}, "points": 5, "status": "graded"},
        "delete files outside": {"cells": {"q1-solution": (
            f"import os, shutil\ndeleted = 0\nfor target in {targets!r}:\n"
            "    try:\n        shutil.rmtree(target) if os.path.isdir(target) else os.remove(target)\n"
            "        deleted += 1\n    except OSError:\n        pass\n"
            f"if deleted:\n{_indent(ANSWER)}")}, "points": 5, "status": "graded"},
        "edit files outside": {"cells": {"q1-solution": (
            f"edited = 0\nfor target in {targets!r}:\n"
            "    try:\n        open(target, 'a').write('pwned')\n        edited += 1\n    except OSError:\n        pass\n"
            f"if edited:\n{_indent(ANSWER)}")}, "points": 5, "status": "graded"},
        "rewrite the test cells": {
            "cells": {"q2-solution": "def nearest_words(query, words, vectors, k):\n    return []",
                      "q2-tests": "pass", "q3-tests": "pass  # rewritten"},
            "points": 5, "status": "graded"},
        "remove a test cell's grade_id": {"cells": {}, "edit": _drop_grade_id, "points": 5, "status": "graded"},
        "made-up test cell and points": {"cells": {}, "edit": _inflate_points, "points": 7, "status": "graded"},
        "copy of a test cell above the answer": {"cells": {}, "edit": _copy_test_cell, "points": 7, "status": "graded"},
        "print megabytes": {"cells": {"q1-solution": (
            "for _ in range(200):\n    print('x' * 100_000)\nraise ValueError('y' * 5_000_000)")},
                            "points": 5, "status": "graded"},
        "allocate without bound": {"cells": {"q1-solution": (
            "def hog():  # 8 GB in 200 MB blocks, twice the limit the test grades with\n"
            "    return [np.ones(25_000_000) for _ in range(40)]\n"
            f"hog()\n{ANSWER}")}, "points": 5, "status": "graded"},
        "answer fitted to the visible tests only": {"cells": {"q4-solution": (
            "def distance_from_cosine(cos):\n    return 0.0 if cos == 1 else float(np.sqrt(2))")},
            "points": 6, "status": "graded"},  # the hidden tests (cos = -1) run at grading
        "read the instructor's sources": {
            "cells": {"q1-solution": READ_SOURCES, **{f"q{i}-solution": "raise NotImplementedError()" for i in (2, 3, 4)}},
            "points": 0, "status": "graded"},
        **{f"tamper: {route}": {"cells": {"q1-solution": code + WRONG_Q1, "q4-solution": WRONG_Q4},
                                "points": 4, "status": "graded"} for route, code in TAMPERING.items()},
        "answer changed after its test ran": {
            "cells": {"q4-solution": WRONG_Q4}, "edit": _right_then_wrong, "points": 4, "status": "graded"},
        "network": {"cells": {"q1-solution": (
            "import socket\n"
            "s = socket.socket()\ns.settimeout(5)\n"
            f"s.connect({tuple(server)!r})\n{ANSWER}")}, "points": 5, "status": "graded"},
    }


def _drop_grade_id(nb):
    del _cell(nb, "q3-tests").metadata["nbgrader"]


def _inflate_points(nb):
    _cell(nb, "q4-tests").metadata.nbgrader["points"] = 50
    bonus = nbformat.v4.new_code_cell("print('free points')")
    bonus.metadata["nbgrader"] = dict(_cell(nb, "q4-tests").metadata.nbgrader, grade_id="q99-tests", points=100)
    nb.cells.append(bonus)


def _copy_test_cell(nb):
    copied = copy.deepcopy(_cell(nb, "q1-tests"))
    copied["id"], copied.source = "copied-test", "pass"
    nb.cells.insert(nb.cells.index(_cell(nb, "q1-solution")), copied)


def _right_then_wrong(nb):
    """The right answer to question 1 before its test, a wrong one in a cell after all tests."""
    later = nbformat.v4.new_code_cell(WRONG_Q1)
    nb.cells.append(later)


def _indent(code: str) -> str:
    return "\n".join("    " + line for line in code.splitlines())


@pytest.fixture(scope="module")
def hostile_grades(tmp_path_factory, host_server):
    canary_dir = tmp_path_factory.mktemp("canary")
    canary = canary_dir / "canary.txt"
    canary.write_text("must survive")
    kinds = _hostile(canary, host_server)
    submissions = tmp_path_factory.mktemp("hostile")
    students = {}
    for i, (kind, spec) in enumerate(kinds.items()):
        student = f"h{i:02d}"
        students[kind] = student
        nb = nbformat.read(PRIVATE_SOURCE, as_version=4)
        for grade_id, code in spec["cells"].items():
            _cell(nb, grade_id).source = code
        if "edit" in spec:
            spec["edit"](nb)
        (submissions / student).mkdir()
        nbformat.write(nb, submissions / student / f"{FIRST}.ipynb")
    for name in ("honest_before", "honest_after"):
        (submissions / name).mkdir()
        (submissions / name / f"{FIRST}.ipynb").write_bytes(PRIVATE_SOURCE.read_bytes())
    (submissions / "garbled").mkdir()
    (submissions / "garbled" / f"{FIRST}.ipynb").write_text('{"cells": [')
    (submissions / "renamed").mkdir()
    (submissions / "renamed" / "exercise1.ipynb").write_bytes(PRIVATE_SOURCE.read_bytes())
    (submissions / "empty").mkdir()
    (submissions / "linked").mkdir()  # a link to the instructor's source: never followed
    (submissions / "linked" / f"{FIRST}.ipynb").symlink_to(PRIVATE_SOURCE)
    (submissions / f"linker_{FIRST}.ipynb").symlink_to(PRIVATE_SOURCE)

    before, data_before = _tree_digest(submissions), _tree_digest(DATA)
    out = tmp_path_factory.mktemp("hostile_grading")
    lines = []
    grading.grade(submissions, out, exercises_dir=PRIVATE, time_limit=30, memory=4 * grading.GiB, jobs=BATCH_JOBS,
                  progress=lines.append)
    print("\n".join(lines))
    return dict(rows=_read_rows(out), kinds=kinds, students=students, out=out,
                canary=canary, submissions=submissions, before=before, data_before=data_before)


@pytest.mark.parametrize("kind", list(_hostile(Path("/x"), ("0.0.0.0", 0))))
def test_hostile_submission_is_contained(hostile_grades, kind):
    spec, student = hostile_grades["kinds"][kind], hostile_grades["students"][kind]
    rows = _by_question(hostile_grades["rows"], student, FIRST)
    assert len(rows) == 4 and sum(float(r["max_points"]) for r in rows.values()) == 7
    assert _points(hostile_grades["rows"], student) == spec["points"], {q: r["note"] for q, r in rows.items()}
    assert {r["status"] for r in rows.values()} == {spec["status"]}
    assert (hostile_grades["out"] / "feedback" / student / f"{FIRST}.html").stat().st_size < 2_000_000


def test_honest_students_in_a_hostile_batch_get_full_marks(hostile_grades):
    for student in ("honest_before", "honest_after"):
        assert _points(hostile_grades["rows"], student) == 7


def test_broken_files_score_zero_with_the_reason(hostile_grades):
    rows = hostile_grades["rows"]
    garbled = _by_question(rows, "garbled", FIRST)
    assert _points(rows, "garbled") == 0 and {r["status"] for r in garbled.values()} == {"invalid notebook"}
    renamed = _by_question(rows, "renamed", FIRST)
    assert _points(rows, "renamed") == 0 and {r["status"] for r in renamed.values()} == {"missing"}
    assert all("exercise1.ipynb" in r["note"] for r in renamed.values())
    assert _points(rows, "empty") == 0 and len(_by_question(rows, "empty", FIRST)) == 4
    for student in ("linked", "linker"):
        linked = _by_question(rows, student, FIRST)
        assert _points(rows, student) == 0 and {r["status"] for r in linked.values()} == {"refused"}
        assert all("symbolic link" in r["note"] for r in linked.values())


def test_tampered_kernels_lose_the_points_of_their_wrong_answers(hostile_grades):
    rows, students = hostile_grades["rows"], hostile_grades["students"]
    for kind in [k for k in students if k.startswith("tamper: ")]:
        graded = _by_question(rows, students[kind], FIRST)
        assert graded["q1"]["points"] == graded["q4"]["points"] == "0.0", (kind, graded["q1"]["note"])
        assert graded["q2"]["points"] == graded["q3"]["points"] == "2.0", kind
    reader = _by_question(rows, students["read the instructor's sources"], FIRST)
    assert all(r["points"] == "0.0" for r in reader.values())


def test_notes_say_why(hostile_grades):
    rows, students = hostile_grades["rows"], hostile_grades["students"]
    assert all("time limit" in r["note"] for r in _by_question(rows, students["infinite loop"], FIRST).values())
    assert all("kernel died" in r["note"] for r in _by_question(rows, students["os._exit"], FIRST).values())
    # what stopped the answer: the memory limit, and the sandbox's own (empty) loopback
    assert "MemoryError" in _by_question(rows, students["allocate without bound"], FIRST)["q1"]["note"]
    assert "ConnectionRefusedError" in _by_question(rows, students["network"], FIRST)["q1"]["note"]
    rewritten = _by_question(rows, students["rewrite the test cells"], FIRST)
    assert rewritten["q2"]["points"] == "0.0" and rewritten["q3"]["points"] == "2.0"  # original tests ran
    dropped = _by_question(rows, students["remove a test cell's grade_id"], FIRST)
    assert dropped["q3"]["points"] == "0.0" and "missing" in dropped["q3"]["note"]


def test_nothing_outside_the_working_copy_changed(hostile_grades):
    assert hostile_grades["canary"].read_text() == "must survive"
    assert _tree_digest(DATA) == hostile_grades["data_before"]
    assert _tree_digest(hostile_grades["submissions"]) == hostile_grades["before"]
