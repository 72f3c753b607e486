"""Autograde 30 submissions of exercise 01 (the solved notebook under 30 student names) with
embedlab.course.grading, against executing the same 30 notebooks with plain nbclient (no
nbgrader, no sandbox): the reference is the bare cost of running the notebooks."""

import shutil
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from embedlab.course import grading

N_STUDENTS = 30
EXERCISE = "01_vectors_and_similarity"


def bench() -> list[dict]:
    source = grading.exercise_notebooks()[EXERCISE]
    with tempfile.TemporaryDirectory() as tmp:
        submissions = Path(tmp) / "submissions"
        for i in range(N_STUDENTS):
            (submissions / f"student{i:03d}").mkdir(parents=True)
            shutil.copyfile(source, submissions / f"student{i:03d}" / f"{EXERCISE}.ipynb")

        start = time.perf_counter()
        rows = grading.grade(submissions, Path(tmp) / "grading", progress=lambda line: None)
        ours_s = time.perf_counter() - start

        start = time.perf_counter()
        for _ in range(N_STUDENTS):
            NotebookClient(nbformat.read(source, as_version=4), timeout=600, kernel_name="python3",
                           resources={"metadata": {"path": tmp}}).execute()
        ref_s = time.perf_counter() - start

    full = sum(r["points"] == r["max_points"] for r in rows)
    return [{
        "benchmark": f"grade {N_STUDENTS} submissions of exercise 01 (sandboxed nbgrader) vs plain execution",
        "ours_s": ours_s,
        "reference_s": ref_s,
        "goal": "a class of 100 in minutes (<= 10 s per submission)",
        "per_submission_s": f"{ours_s / N_STUDENTS:.1f}",
        "class_of_100_min": f"{100 * ours_s / N_STUDENTS / 60:.1f}",
        "full_marks": f"{full}/{len(rows)} questions",
    }]
