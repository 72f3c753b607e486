"""The grading pipeline (embedlab.course.grading): release and autograde.

One grading run, shared by the tests through a module-scoped fixture: every exercise notebook
handed in solved (the source) and with the first wrong answer kept for each question in
``notebooks/exercises/wrong_answers/`` (each must lose its question's points: the pipeline
agrees with tests/test_exercises.py, which checks every wrong answer in one kernel per
exercise), and the release of exercise 01 untouched, all in one batch graded JOBS at a time.
Containment (hostile submissions) is tests/test_grading_hostile.py, a batch of its own so that
the two can run at the same time (``make test`` runs test files on two workers).
"""

from __future__ import annotations

import ast
import csv
import hashlib
import os
import re
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
def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


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
    """Every exercise handed in solved (the source) and with wrong answers (one notebook holds
    the first wrong answer of every independent question); exercise 01's release untouched."""
    submissions = tmp_path_factory.mktemp("class")
    (submissions / "solved").mkdir()
    for exercise in EXERCISES:
        (submissions / "solved" / f"{exercise}.ipynb").write_bytes(EXERCISES[exercise].read_bytes())
    # The release of one exercise, untouched: the pipeline gives it zero. That every question's
    # stub fails its tests, in every exercise, is checked faster by tests/test_exercises.py.
    (submissions / "blank").mkdir()
    release = student_release / "notebooks" / "exercises" / f"{FIRST}.ipynb"
    (submissions / "blank" / f"{FIRST}.ipynb").write_bytes(release.read_bytes())
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
def test_source_scores_full_marks(class_grades, exercise):
    out, rows = class_grades
    total = _max_points(exercise)
    solved = _by_question(rows, "solved", exercise)
    assert _points(rows, "solved", exercise) == total, {q: r["note"] for q, r in solved.items()}
    assert {r["status"] for r in solved.values()} == {"graded"}
    html = (out / "feedback" / "solved" / f"{exercise}.html").read_text()  # nbgrader's page shows the total
    assert f"(Score: {float(total)} / {float(total)})" in html


def test_release_scores_zero(class_grades):
    out, rows = class_grades
    solved, blank = _by_question(rows, "solved", FIRST), _by_question(rows, "blank", FIRST)
    assert blank and set(solved) == set(blank)
    assert _points(rows, "blank", FIRST) == 0
    assert {r["status"] for r in blank.values()} == {"graded"}  # ran to the end, no crash
    assert all("NotImplementedError" in r["note"] for r in blank.values())
    html = (out / "feedback" / "blank" / f"{FIRST}.html").read_text()
    assert f"(Score: 0.0 / {float(_max_points(FIRST))})" in html


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
