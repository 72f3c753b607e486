"""Each exercise's tests accept its solution and reject every wrong answer kept for it.

One kernel per exercise runs the source notebook top to bottom (every test cell must pass),
then, for each file in ``notebooks/exercises/wrong_answers/<exercise>/``, runs that wrong
answer in place of the question's solution followed by the question's full test cell (visible
and hidden tests), which must fail, and restores the solution. The other questions keep
their solutions, so each wrong answer is judged alone.

Each question's handed-out stub (nbgrader's ``raise NotImplementedError()`` in place of the
solution) must fail its question's test cell too: a test that passes on the stub gives points
for nothing.

A test cell that fails in the student's kernel scores zero whatever else happens (the grader
needs both the kernel and its second process to pass), so a rejection here is a lost point in
grading. tests/test_grading.py grades a sample of these wrong answers through the whole
pipeline to show that it agrees. Check one exercise while writing it:
``pytest tests/test_exercises.py -k 04_glove``.
"""

from __future__ import annotations

import functools
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from embedlab.course import checks, grading

EXERCISES = grading.exercise_notebooks()
WRONG_ANSWERS = grading.EXERCISES_DIR / "wrong_answers"
CELL_TIMEOUT_S = 120


def wrong_answers(exercise: str) -> dict[str, list[Path]]:
    """Question (grade_id prefix, e.g. 'q2') -> its wrong-answer files, sorted."""
    found: dict[str, list[Path]] = {}
    for path in sorted((WRONG_ANSWERS / exercise).glob("q*_*.py")):
        found.setdefault(path.name.split("_", 1)[0], []).append(path)
    return found


def _cell(nb, grade_id: str):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _first_error_line(error: CellExecutionError) -> str:
    return next((line for line in reversed(str(error).splitlines()) if line.strip()), "")[:300]


@functools.cache
def run_exercise(exercise: str) -> dict:
    """Run the exercise once: ``{'solution': {test cell: error or None},
    'wrong': {file name: error that rejected it, or None if it passed},
    'stub': {question: error that rejected the handed-out stub, or None}}``."""
    from nbgrader.preprocessors import ClearSolutions

    source = EXERCISES[exercise]
    nb = nbformat.read(source, as_version=4)
    released, _ = ClearSolutions().preprocess(nbformat.read(source, as_version=4), {})
    stubs = {c.metadata.nbgrader["grade_id"].removesuffix("-solution"): c.source for c in released.cells
             if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"}
    client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(source.parent)}})
    result = {"solution": {}, "wrong": {}, "stub": {}}
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            try:
                client.execute_cell(cell, index)
                error = None
            except CellExecutionError as e:
                error = _first_error_line(e)
                if not grade_id.endswith("-tests"):
                    raise AssertionError(f"{exercise}: cell {grade_id or index} of the solution fails: {error}")
            if grade_id.endswith("-tests"):
                result["solution"][grade_id] = error

        scratch = nbformat.v4.new_code_cell()
        nb.cells.append(scratch)  # nbclient stores each executed cell in the notebook

        def run(code: str) -> str | None:
            scratch.source = code
            try:
                client.execute_cell(scratch, len(nb.cells) - 1)
            except CellExecutionError as e:
                return _first_error_line(e)
            return None

        for question, paths in wrong_answers(exercise).items():
            solution, tests = _cell(nb, f"{question}-solution").source, _cell(nb, f"{question}-tests").source
            for path in paths:
                run(path.read_text())  # a wrong answer that fails to define anything keeps the solution: caught below
                result["wrong"][path.name] = run(tests)
                restored = run(solution)
                assert restored is None, f"{exercise}: restoring {question}'s solution failed: {restored}"
        for question, stub in stubs.items():
            tests, solution = _cell(nb, f"{question}-tests").source, _cell(nb, f"{question}-solution").source
            # as in a handed-out copy, what the solution defines does not exist before the stub runs
            run(f"for _name in {sorted(checks._defined_names(checks._parse(solution)))!r}: globals().pop(_name, None)")
            run(stub)
            result["stub"][question] = run(tests)
            restored = run(solution)
            assert restored is None, f"{exercise}: restoring {question}'s solution failed: {restored}"
    return result


ALL_WRONG = [(exercise, path) for exercise in sorted(EXERCISES)
             for paths in wrong_answers(exercise).values() for path in paths]


@pytest.mark.parametrize("exercise", sorted(EXERCISES))
def test_solution_passes_every_test_cell(exercise):
    failed = {cell: error for cell, error in run_exercise(exercise)["solution"].items() if error}
    assert run_exercise(exercise)["solution"], f"{exercise} has no test cells"
    assert not failed, f"the solution of {exercise} fails its own tests: {failed}"


@pytest.mark.parametrize("exercise", sorted(EXERCISES))
def test_every_question_keeps_three_wrong_answers(exercise):
    source = nbformat.read(EXERCISES[exercise], as_version=4)
    questions = [c.metadata.nbgrader["grade_id"].removesuffix("-solution")
                 for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")]
    kept = wrong_answers(exercise)
    assert set(kept) <= set(questions), f"wrong answers for unknown questions: {sorted(set(kept) - set(questions))}"
    few = {q: len(kept.get(q, [])) for q in questions if len(kept.get(q, [])) < 3}
    assert not few, f"keep at least three wrong answers per question in {WRONG_ANSWERS / exercise}: {few}"
    for paths in kept.values():
        for path in paths:
            assert path.read_text().startswith("# "), f"{path.name}: first line '# <the mistake>'"


@pytest.mark.parametrize("exercise", sorted(EXERCISES))
def test_handed_out_stub_fails_every_question(exercise):
    stubs = run_exercise(exercise)["stub"]
    assert stubs, f"{exercise} has no solution cells"
    passing = [question for question, error in stubs.items() if error is None]
    assert not passing, f"{exercise}: the tests of {passing} pass on the handed-out stub (raise NotImplementedError())"


@pytest.mark.parametrize("exercise, path", ALL_WRONG, ids=[f"{e}/{p.stem}" for e, p in ALL_WRONG])
def test_wrong_answer_is_rejected(exercise, path):
    error = run_exercise(exercise)["wrong"][path.name]
    assert error is not None, f"{exercise}/{path.name} ({path.read_text().splitlines()[0][2:]}) passes its question's tests"
