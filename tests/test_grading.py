"""The grading pipeline (embedlab.course.grading): release, autograde, and containment.

Two grading runs, shared by the tests through module-scoped fixtures:
- every exercise notebook handed in solved (the source), untouched (the release), and with
  the first wrong answer kept for each question in ``notebooks/exercises/wrong_answers/``
  (each must lose its question's points: the pipeline agrees with tests/test_exercises.py,
  which checks every wrong answer in one kernel per exercise), all in one batch graded JOBS
  at a time;
- exercise 01 handed in by an honest student and by one hostile student per kind of attack
  (escaping the sandbox, reading the instructor's files, tampering with the kernel), with a
  short time limit, all in the same batch.
"""

from __future__ import annotations

import ast
import copy
import csv
import hashlib
import os
import re
import socket
import threading
from pathlib import Path

import nbformat
import pytest

from embedlab import course
from embedlab.course import grading
from test_exercises import wrong_answers

# Each module fixture grades a whole batch (minutes on a quiet 2-core machine); the timeout
# covers the batch, not a single check.
pytestmark = pytest.mark.timeout(3600)
# A graded notebook waits on sandboxes, kernels and pipes as much as it computes: two jobs per
# core keep the cores busy (the grades do not depend on the number of jobs).
BATCH_JOBS = 2 * (os.cpu_count() or 1)

EXERCISES = grading.exercise_notebooks()
FIRST = "01_vectors_and_similarity"
REPO = course.REPO
DATA = REPO / "data"
HIDDEN_BLOCK = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)
SOLUTION_BLOCK = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)


def _tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _by_question(rows, student, exercise):
    return {r["question"]: r for r in rows if r["student"] == student and r["exercise"] == exercise}


def _points(rows, student, exercise=FIRST):
    return sum(float(r["points"]) for r in _by_question(rows, student, exercise).values())


def _max_points(exercise):
    source = nbformat.read(EXERCISES[exercise], as_version=4)
    return sum(c.metadata.nbgrader["points"] for c in source.cells if grading._is_test_cell(c))


# ----------------------------------------------------------------------------- release
@pytest.fixture(scope="module")
def student_release(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    grading.release(out)
    return out


def _stripped_lines(source: str, block: re.Pattern) -> set[str]:
    """Distinctive lines inside ``block`` sections of the source's cells that appear nowhere
    else in the source (a line shared with the visible tests may rightly stay)."""
    cells = [c.source for c in nbformat.reads(source, as_version=4).cells]
    inside = {line.strip() for text in cells for part in block.findall(text)
              for line in part.splitlines() if len(line.strip()) > 12}
    outside = {line.strip() for text in cells for line in block.sub("", text).splitlines()}
    return inside - outside


@pytest.mark.parametrize("exercise", sorted(EXERCISES))
def test_release_strips_solutions_and_hidden_tests(student_release, exercise):
    source = EXERCISES[exercise].read_text()
    released = (student_release / "notebooks" / "exercises" / f"{exercise}.ipynb").read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in released
    nb = nbformat.reads(released, as_version=4)
    text = {line.strip() for c in nb.cells for line in c.source.splitlines()}
    for block in (HIDDEN_BLOCK, SOLUTION_BLOCK):
        secret = _stripped_lines(source, block)
        assert secret, f"the source has no {block.pattern[:24]}... section"
        leaked = secret & text
        assert not leaked, f"lines of {block.pattern[:24]}... in the release: {sorted(leaked)[:3]}"
    answers = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert answers and all("raise NotImplementedError()" in c.source for c in answers)
    visible_tests = [c for c in nb.cells if grading._is_test_cell(c)]
    assert visible_tests and all("assert" in c.source for c in visible_tests)


def test_release_carries_the_lessons_unchanged(student_release):
    lessons = course.notebooks()
    assert lessons
    for lesson in lessons:
        assert (student_release / "notebooks" / lesson.name).read_bytes() == lesson.read_bytes()
    assert "NotImplementedError" in (student_release / "README.md").read_text()


@pytest.mark.parametrize("exercise", sorted(EXERCISES))
def test_stated_total_matches_the_points(exercise):
    intro = nbformat.read(EXERCISES[exercise], as_version=4).cells[0].source
    stated = re.search(r"(\d+) points", intro)
    assert stated, "the first cell should state the total ('N points')"
    assert int(stated.group(1)) == _max_points(exercise)


def test_release_refuses_to_empty_a_folder_it_did_not_make(tmp_path):
    (tmp_path / "thesis.tex").write_text("mine")
    with pytest.raises(FileExistsError, match="not made by this tool"):
        grading.release(tmp_path)
    assert (tmp_path / "thesis.tex").read_text() == "mine"


# ----------------------------------------------------------------------------- collect
def test_collect_reads_both_layouts_and_names_what_is_missing(tmp_path):
    (tmp_path / "ann").mkdir()
    (tmp_path / "ann" / f"{FIRST}.ipynb").write_text("{}")
    (tmp_path / "ben").mkdir()
    (tmp_path / "ben" / f"{FIRST} (1).ipynb").write_text("{}")
    (tmp_path / f"cy_lee_{FIRST}.ipynb").write_text("{}")
    found = {(s.student, s.exercise): s for s in grading.collect(tmp_path, list(EXERCISES))}
    assert set(found) == {("ann", FIRST), ("ben", FIRST), ("cy_lee", FIRST)}
    assert found["ann", FIRST].path == tmp_path / "ann" / f"{FIRST}.ipynb"
    assert found["ben", FIRST].path is None and "wrong file name" in found["ben", FIRST].problem
    assert found["cy_lee", FIRST].path == tmp_path / f"cy_lee_{FIRST}.ipynb"
    with pytest.raises(ValueError, match="unknown exercises"):
        grading.collect(tmp_path, list(EXERCISES), only=["99_nope"])


# ----------------------------------------------------------------------------- grading
def _read_rows(out: Path):
    with open(out / "grades.csv", newline="") as f:
        return list(csv.DictReader(f))


# The first wrong answer of each question is graded here; all of them are checked in a kernel
# by tests/test_exercises.py.
SAMPLED_WRONG = [(exercise, paths[0]) for exercise in sorted(EXERCISES)
                 for paths in wrong_answers(exercise).values()]


def _wrong_student(exercise: str, path: Path) -> str:
    """Wrong answer k of every independent question goes into one notebook, student 'wrong-k';
    a question whose answer builds on another question's function gets notebooks of its own
    ('wrong-q6-k'), so that only its own answer is wrong there."""
    question = path.name.split("_", 1)[0]
    k = wrong_answers(exercise)[question].index(path) + 1
    return f"wrong-{question}-{k}" if _uses_other_answers(exercise, question) else f"wrong-{k}"


def _uses_other_answers(exercise: str, question: str) -> bool:
    from embedlab.course import checks

    def answers(tree) -> set[str]:  # what a solution cell hands on: its functions and plain names
        return {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))} | {
            target.id for node in tree.body if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name)}

    nb = nbformat.read(EXERCISES[exercise], as_version=4)
    own = _cell(nb, f"{question}-solution")
    others = set().union(*[answers(checks._parse(c.source)) for c in nb.cells
                           if c.metadata.get("nbgrader", {}).get("solution") and c is not own])
    return bool(_global_names(own.source) & others)


def _global_names(source: str) -> set[str]:
    """The module-level names a cell's code reads (a function's own locals are not)."""
    import symtable

    def walk(table) -> set[str]:
        names = {sym.get_name() for sym in table.get_symbols() if sym.is_referenced()
                 and (table.get_type() == "module" or sym.is_global())}
        return names.union(*[walk(child) for child in table.get_children()])

    return walk(symtable.symtable(source, "<cell>", "exec"))


def _solution_names(exercise: str, question: str) -> set[str]:
    from embedlab.course import checks

    cell = _cell(nbformat.read(EXERCISES[exercise], as_version=4), f"{question}-solution")
    return checks._defined_names(checks._parse(cell.source))


@pytest.fixture(scope="module")
def class_grades(student_release, tmp_path_factory):
    """Every exercise, handed in solved (the source), untouched (the release), and with wrong
    answers: one notebook holds the first wrong answer of every independent question."""
    submissions = tmp_path_factory.mktemp("class")
    for student, folder in (("solved", EXERCISES[FIRST].parent),
                            ("blank", student_release / "notebooks" / "exercises")):
        (submissions / student).mkdir()
        for exercise in EXERCISES:
            (submissions / student / f"{exercise}.ipynb").write_bytes((folder / f"{exercise}.ipynb").read_bytes())
    for exercise in EXERCISES:
        variants: dict[str, dict[str, str]] = {}
        for sampled_exercise, path in SAMPLED_WRONG:
            if sampled_exercise == exercise:
                question = path.name.split("_", 1)[0]
                variants.setdefault(_wrong_student(exercise, path), {})[f"{question}-solution"] = path.read_text()
        for student, cells in variants.items():
            nb = nbformat.read(EXERCISES[exercise], as_version=4)
            for grade_id, code in cells.items():
                _cell(nb, grade_id).source = code
            (submissions / student).mkdir(exist_ok=True)
            nbformat.write(nb, submissions / student / f"{exercise}.ipynb")
    out = tmp_path_factory.mktemp("class_grading")
    grading.grade(submissions, out, jobs=BATCH_JOBS, progress=lambda line: None)
    return out, _read_rows(out)


@pytest.mark.parametrize("exercise", sorted(EXERCISES))
def test_source_scores_full_marks_and_release_scores_zero(class_grades, exercise):
    out, rows = class_grades
    total = _max_points(exercise)
    solved, blank = _by_question(rows, "solved", exercise), _by_question(rows, "blank", exercise)
    assert solved and set(solved) == set(blank)
    assert _points(rows, "solved", exercise) == total, {q: r["note"] for q, r in solved.items()}
    assert {r["status"] for r in solved.values()} == {"graded"}
    assert _points(rows, "blank", exercise) == 0
    assert {r["status"] for r in blank.values()} == {"graded"}  # ran to the end, no crash
    assert all("NotImplementedError" in r["note"] for r in blank.values())
    for student, points in (("solved", total), ("blank", 0)):  # nbgrader's page shows the total
        html = (out / "feedback" / student / f"{exercise}.html").read_text()
        assert f"(Score: {float(points)} / {float(total)})" in html


@pytest.mark.parametrize("exercise, path", SAMPLED_WRONG, ids=[f"{e}/{p.stem}" for e, p in SAMPLED_WRONG])
def test_wrong_answer_loses_its_points(class_grades, exercise, path):
    out, rows = class_grades
    question, student = path.name.split("_", 1)[0], _wrong_student(exercise, path)
    graded = _by_question(rows, student, exercise)
    assert graded[question]["status"] == "graded", graded[question]["note"]
    assert float(graded[question]["points"]) == 0, \
        f"{path.name} ({path.read_text().splitlines()[0]}) earned the points of {question}"
    # The points were lost to this answer, not to another question's wrong answer in the notebook.
    report = grading._run_report(out, grading.Submission(student, exercise, None))
    calls = set(report["verdict"].get(f"{question}-tests", {}).get("calls", []))
    assert calls <= _solution_names(exercise, question), \
        f"{question}'s tests call other questions' functions {sorted(calls)}: keep questions independent"


# ----------------------------------------------------------------------------- hostile
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


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


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


def test_grading_refuses_bad_arguments(tmp_path):
    with pytest.raises(NotADirectoryError, match="SUBMISSIONS must be a folder"):
        grading.grade(tmp_path / "nope", tmp_path / "out")
    with pytest.raises(ValueError, match="must not contain each other"):
        grading.grade(tmp_path, tmp_path / "out")
    (tmp_path / "subs").mkdir()
    with pytest.raises(ValueError, match="JOBS must be a positive number"):
        grading.grade(tmp_path / "subs", tmp_path / "out", jobs=-1)


def test_book_without_solutions_has_the_student_exercises(tmp_path):
    import yaml

    out = grading.book_without_solutions(tmp_path / "book-copy")
    config = yaml.safe_load((out / "book" / "_config.yml").read_text())
    assert config["execute"]["exclude_patterns"] == ["notebooks/exercises/*"]
    for exercise in EXERCISES:
        text = (out / "notebooks" / "exercises" / f"{exercise}.ipynb").read_text()
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
        assert "raise NotImplementedError()" in text
    assert sorted(p.name for p in out.joinpath("notebooks").glob("[0-9]*.ipynb")) == [p.name for p in course.notebooks()]
