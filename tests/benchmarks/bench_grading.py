"""Autograde 30 submissions of exercise 01 (the solved notebook under 30 student names) with
embedlab.course.grading, once with JOBS=1 and once with JOBS=2: the grades must be identical,
and the time of each is set against executing the same 30 notebooks with plain nbclient (no
nbgrader, no sandbox, no verdict process): the bare cost of running the notebooks."""

import shutil
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from embedlab.course import grading

N_STUDENTS = 30
EXERCISE = "01_vectors_and_similarity"


def _grades(rows) -> list[tuple]:
    return sorted((r["student"], r["question"], r["points"], r["status"]) for r in rows)


def bench() -> list[dict]:
    source = grading.exercise_notebooks()[EXERCISE]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        submissions = Path(tmp) / "submissions"
        for i in range(N_STUDENTS):
            (submissions / f"student{i:03d}").mkdir(parents=True)
            shutil.copyfile(source, submissions / f"student{i:03d}" / f"{EXERCISE}.ipynb")

        start = time.perf_counter()
        for _ in range(N_STUDENTS):
            NotebookClient(nbformat.read(source, as_version=4), timeout=600, kernel_name="python3",
                           resources={"metadata": {"path": tmp}}).execute()
        ref_s = time.perf_counter() - start

        grades = {}
        for jobs in (1, 2):
            start = time.perf_counter()
            rows = grading.grade(submissions, Path(tmp) / f"grading{jobs}", jobs=jobs, progress=lambda line: None)
            ours_s = time.perf_counter() - start
            grades[jobs] = _grades(rows)
            full = sum(r["points"] == r["max_points"] for r in rows)
            results.append({
                "benchmark": f"grade {N_STUDENTS} submissions of exercise 01, JOBS={jobs} "
                             "(sandboxed nbgrader + verdict process) vs plain execution",
                "ours_s": ours_s,
                "reference_s": ref_s,
                "goal": "a class of 100 in minutes; JOBS=2 faster than JOBS=1, same grades",
                "per_submission_s": f"{ours_s / N_STUDENTS:.1f}",
                "class_of_100_min": f"{100 * ours_s / N_STUDENTS / 60:.1f}",
                "full_marks": f"{full}/{len(rows)} questions",
            })
        results[-1]["same_grades_as_jobs_1"] = str(grades[1] == grades[2])
    return results
