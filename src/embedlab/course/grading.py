"""Release the exercises to students and autograde their submissions, offline, with nbgrader.

    python -m embedlab.course.grading release [--out build/student]
    python -m embedlab.course.grading grade SUBMISSIONS [--out build/grading] [--time-limit 120]

``release`` runs nbgrader's generate_assignment on every ``notebooks/exercises/NN_*.ipynb``:
solutions become ``# YOUR CODE HERE`` / ``raise NotImplementedError()`` and hidden tests
disappear. The lessons are copied unchanged next to the exercises.

``grade`` autogrades a folder of submissions, laid out either as

    SUBMISSIONS/<student>/<exercise>.ipynb         one folder per student (subfolders are fine)
    SUBMISSIONS/<student>_<exercise>.ipynb         or flat files named by student

(``<exercise>`` is the released file name, e.g. ``01_vectors_and_similarity``), into
``grades.csv`` (one row per student, exercise and question) and one HTML feedback page per
student and exercise. nbgrader keeps its course folder and sqlite gradebook next to them.

Every submission is untrusted. It is copied (the input folder is never written to), the
locked cells (set-up and tests) are restored from the source by nbgrader's OverwriteCells,
and the notebook runs in its own bubblewrap sandbox: no network, the whole file system
read-only except a temporary working copy, the grading folder and the submissions hidden,
no capabilities, a memory limit, a time limit for the notebook (then the process group is
killed), and a cap on the output kept. Whatever goes wrong costs that student the affected
questions, with the reason in the CSV; the run goes on. The exit code is 0 when every
submission was graded (including those graded 0), 2 for unusable arguments.
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import logging
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.api import Gradebook
from nbgrader.converters import Autograde, GenerateAssignment, GenerateFeedback
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import (
    AssignLatePenalties, CheckCellMetadata, Execute, IgnorePattern, LimitOutput, NbGraderPreprocessor,
    SaveAutoGrades,
)
from sqlalchemy.exc import SAWarning
from traitlets import Integer, List, Unicode
from traitlets.config import Config

from embedlab.course import EXERCISES_DIR, LESSONS_DIR, REPO, notebooks

COURSE_ID = "embedlab"
GiB = 1024**3
# The cap is on address space, which torch and numba reserve by the GB without touching:
# the solutions of exercises 01-09 all pass at 5 GB, some fail at 3 GB (measured): 8 GB.
DEFAULT_MEMORY = 8 * GiB
DEFAULT_TIME_LIMIT_S = 120
DEFAULT_MAX_OUTPUT = 100_000  # bytes of output kept per cell
MAX_FILE = 256 * 1024**2  # largest file a submission may write
SANDBOX_TMP = 256 * 1024**2  # size of the sandbox's private /tmp
KILL_GRACE_S = 10  # the sandbox is killed this long after the notebook's time limit
NOT_RUN = "NotRun"  # ename of the error given to a test cell the submission never reached

# Marker files: a folder is only ever emptied when we created it.
RELEASE_MARKER = ".embedlab-student-release"
GRADING_MARKER = ".embedlab-grading"

log = logging.getLogger(__name__)


def exercise_notebooks(folder: Path = EXERCISES_DIR) -> dict[str, Path]:
    """Exercise name (file stem) -> source notebook, for every ``NN_*.ipynb`` in ``folder``."""
    found = {p.stem: p for p in notebooks(folder)}
    if not found:
        raise FileNotFoundError(f"no exercise notebooks (NN_name.ipynb) in {folder}")
    return found


def _fresh_dir(path: Path, marker: str) -> Path:
    """Empty ``path`` for a new run, refusing to touch a folder we did not create."""
    path = Path(path)
    if path.exists() and any(path.iterdir()):
        if not (path / marker).exists():
            raise FileExistsError(f"{path} is not empty and was not made by this tool; "
                                  "choose another output folder")
        shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)
    (path / marker).touch()
    return path


def _coursedir(root: Path, **ids) -> CourseDirectory:
    return CourseDirectory(root=str(root / "course"), db_url=f"sqlite:///{root / 'gradebook.db'}",
                           course_id=COURSE_ID, **ids)


# nbgrader's chatter (e.g. "checksum has changed" for every edited test cell, which it then
# restores, and SQLAlchemy warnings from its gradebook) would drown the one line per
# submission; its errors still show.
_NBGRADER_LOG = logging.getLogger(f"{__name__}.nbgrader")
_NBGRADER_LOG.setLevel(logging.ERROR)


def _nbgrader(converter_class, root: Path, config: Config | None = None, **ids) -> None:
    """Run one nbgrader converter (generate_assignment, autograde, generate_feedback)."""
    converter = converter_class(coursedir=_coursedir(root, **ids), config=config or Config(),
                                log=_NBGRADER_LOG)
    converter.force = True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        converter.start()


def prepare_course(root: Path, exercises: dict[str, Path]) -> None:
    """nbgrader course folder + gradebook under ``root``: one assignment per exercise."""
    # nbgrader runs the `alembic` script when it creates a gradebook; it sits next to our Python.
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ["PATH"].split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ["PATH"]
    for name, source in exercises.items():
        target = root / "course" / "source" / name / f"{name}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        _nbgrader(GenerateAssignment, root, assignment_id=name)


# --------------------------------------------------------------------------- release
STUDENT_README = """\
# Exercises of the embedding-models course

`notebooks/` holds the lessons; `notebooks/exercises/` your exercise notebooks.

1. Install the course as its README says (`make install`), then open JupyterLab (`make lab`).
2. In each exercise, replace `raise NotImplementedError()` with your code and run the test
   cell under each answer: it tells you what is wrong. Graders also run hidden tests.
3. Hand in the exercise notebooks under their own names (e.g. `01_vectors_and_similarity.ipynb`),
   without renaming them and without editing the test cells (they are restored anyway).
"""


def release(out: Path, exercises_dir: Path = EXERCISES_DIR, lessons_dir: Path = LESSONS_DIR) -> list[Path]:
    """Write the student release (exercises without solutions or hidden tests, lessons as is)."""
    exercises = exercise_notebooks(exercises_dir)
    out = _fresh_dir(Path(out), RELEASE_MARKER)
    (out / "notebooks" / "exercises").mkdir(parents=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="embedlab-release-") as tmp:
        prepare_course(Path(tmp), exercises)
        for name in exercises:
            target = out / "notebooks" / "exercises" / f"{name}.ipynb"
            shutil.copyfile(Path(tmp) / "course" / "release" / name / f"{name}.ipynb", target)
            written.append(target)
    for lesson in notebooks(lessons_dir):
        shutil.copyfile(lesson, out / "notebooks" / lesson.name)
        written.append(out / "notebooks" / lesson.name)
    (out / "README.md").write_text(STUDENT_README)
    return written


# --------------------------------------------------------------------------- collect
@dataclass
class Submission:
    student: str
    exercise: str
    path: Path | None  # None: nothing usable was handed in
    problem: str = ""  # why it cannot be graded, for the CSV


def collect(submissions: Path, exercises: list[str], only: list[str] | None = None) -> list[Submission]:
    """Match the files in ``submissions`` to students and exercises (see the module docstring).

    Graded exercises are ``only`` if given, else every exercise somebody handed in. A student
    without a file for one of them gets a Submission with ``path=None`` and the reason.
    """
    found: dict[tuple[str, str], list[Path]] = {}
    unrecognised: dict[str, list[str]] = {}
    students: set[str] = set()

    def exercise_of_flat(stem: str) -> tuple[str, str] | None:
        for name in exercises:
            for sep in ("_", "-", "."):
                if stem.endswith(sep + name) and len(stem) > len(name) + 1:
                    return stem[: -len(name) - 1], name
        return None

    for entry in sorted(Path(submissions).iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            students.add(entry.name)
            for nb in sorted(entry.rglob("*.ipynb")):
                if ".ipynb_checkpoints" in nb.parts:
                    continue
                if nb.stem in exercises:
                    found.setdefault((entry.name, nb.stem), []).append(nb)
                else:
                    unrecognised.setdefault(entry.name, []).append(str(nb.relative_to(entry)))
        elif entry.suffix == ".ipynb":
            match = exercise_of_flat(entry.stem)
            if match:
                students.add(match[0])
                found.setdefault(match, []).append(entry)
            else:
                log.warning("ignoring %s: not named <student>_<exercise>.ipynb", entry.name)

    graded = only or sorted({exercise for _, exercise in found})
    unknown = sorted(set(graded) - set(exercises))
    if unknown:
        raise ValueError(f"unknown exercises {unknown}; the exercises are {exercises}")
    result = []
    for student in sorted(students):
        for exercise in graded:
            paths = found.get((student, exercise), [])
            if len(paths) == 1:
                result.append(Submission(student, exercise, paths[0]))
                continue
            if paths:
                problem = f"{len(paths)} files named {exercise}.ipynb; hand in exactly one"
            else:
                problem = f"missing: no {exercise}.ipynb"
                if unrecognised.get(student):
                    problem += f" (found {', '.join(unrecognised[student])}: wrong file name?)"
            result.append(Submission(student, exercise, None, problem))
    return result


# --------------------------------------------------------------------------- sandbox
def sandbox_command() -> str:
    bwrap = shutil.which("bwrap")
    if not bwrap:
        raise RuntimeError("grading runs every submission in a bubblewrap sandbox, and `bwrap` was not "
                           "found: install it with `apt-get install bubblewrap` (`make grade` does)")
    return bwrap


def _sandbox_env(work: Path) -> dict[str, str]:
    """Only what a notebook needs; secrets in the grader's environment stay out."""
    keep = ("PATH", "LANG", "LC_ALL", "PYTHONPATH", "TOKENIZERS_PARALLELISM", "OMP_WAIT_POLICY",
            "PYDEVD_DISABLE_FILE_VALIDATION", "TRANSFORMERS_OFFLINE")
    env = {k: v for k, v in os.environ.items()
           if k in keep or k.startswith(("EMBEDLAB_", "HF_"))}
    env.update(HOME=str(work / "home"), JUPYTER_RUNTIME_DIR=str(work / "runtime"),
               IPYTHONDIR=str(work / "ipython"), MPLCONFIGDIR=str(work / "matplotlib"),
               NUMBA_CACHE_DIR=str(work / "numba"), MPLBACKEND="Agg", EMBEDLAB_OFFLINE="1",
               HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONDONTWRITEBYTECODE="1")
    return env


def _course_paths_under_tmp() -> list[str]:
    """The course, its Python and its PYTHONPATH when they live under /tmp, which the sandbox
    replaces by a private, empty /tmp."""
    tmp = Path("/tmp").resolve()
    paths = {REPO, Path(sys.prefix)} | {Path(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p}
    return sorted(str(p.resolve()) for p in paths if p.is_dir() and tmp in p.resolve().parents)


def run_sandboxed(work: Path, time_limit: int, memory: int, max_output: int,
                  hidden: list[str]) -> dict:
    """Execute ``work/submission.ipynb`` into ``work/executed.ipynb`` inside a sandbox.

    Returns the runner's report ({"status", "reason"}) or, when the sandbox had to be killed
    or died without one, a report saying so.
    """
    mounts = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
              "--size", str(SANDBOX_TMP), "--tmpfs", "/tmp"]
    for path in _course_paths_under_tmp():  # a clone in /tmp (CI) must stay visible, read-only
        mounts += ["--ro-bind", path, path]
    for path in hidden:  # the gradebook, other students' work, the grader's home
        if Path(path).is_dir():
            mounts += ["--tmpfs", str(path)]
    mounts += ["--bind", str(work), str(work), "--chdir", str(work)]
    command = [sandbox_command(), *mounts, "--unshare-all", "--die-with-parent", "--new-session",
               "--cap-drop", "ALL", "--", sys.executable, "-m", "embedlab.course.grading", "_run",
               str(work / "submission.ipynb"), str(work / "executed.ipynb"),
               f"--time-limit={time_limit}", f"--max-output={max_output}"]

    def limits():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE, MAX_FILE))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    for sub in ("home", "runtime", "ipython", "matplotlib", "numba"):
        (work / sub).mkdir(exist_ok=True)
    with open(work / "sandbox.log", "wb") as logfile:
        process = subprocess.Popen(command, env=_sandbox_env(work), stdin=subprocess.DEVNULL,
                                   stdout=logfile, stderr=subprocess.STDOUT,
                                   preexec_fn=limits, start_new_session=True)
        try:
            process.wait(timeout=time_limit + KILL_GRACE_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # bwrap's pid namespace takes the kernel with it
            process.wait()
            return {"status": "time limit", "reason": f"stopped after the time limit of {time_limit} s"}
    try:
        return json.loads((work / "report.json").read_text())
    except (OSError, ValueError):
        tail = (work / "sandbox.log").read_bytes()[-300:].decode(errors="replace").strip()
        return {"status": "crashed", "reason": f"the sandbox exited with code {process.returncode}"
                                               + (f": {tail.splitlines()[-1]}" if tail else "")}


class _BudgetedExecute(Execute):
    """nbgrader's Execute with one time budget for the whole notebook, a cap on the output
    kept per cell, and the notebook saved after every cell (a killed run keeps its progress)."""

    def __init__(self, deadline: float, max_output: int, save_to: Path, **kwargs):
        super().__init__(**kwargs)
        self.deadline, self.max_output, self.save_to = deadline, max_output, save_to
        self.dropped: dict[int, int] = {}
        self.kept: dict[int, int] = {}

    def preprocess_cell(self, cell, resources, index):
        remaining = self.deadline - time.monotonic()
        if cell.cell_type != "code" or remaining < 1:
            return cell, resources  # out of time: the cell stays unexecuted
        self.timeout = int(remaining)
        cell, resources = super().preprocess_cell(cell, resources, index)
        if self.dropped.get(index):
            cell.outputs.append(nbformat.v4.new_output(
                "stream", name="stdout", text=f"\n[{self.dropped[index]:,} more bytes of output not kept]\n"))
        nbformat.write(self.nb, self.save_to)
        return cell, resources

    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg["content"]))
        if msg["msg_type"] == "error" and size > self.max_output:  # kept (it decides the grade), but short
            content = msg["content"]
            content["evalue"] = str(content.get("evalue", ""))[:1000]
            content["traceback"] = [str(line)[:1000] for line in content.get("traceback", [])[-40:]]
        elif self.kept.get(cell_index, 0) + size > self.max_output:
            self.dropped[cell_index] = self.dropped.get(cell_index, 0) + size
            return None
        self.kept[cell_index] = self.kept.get(cell_index, 0) + size
        return super().output(outs, msg, display_id, cell_index)


def _run(notebook: Path, executed: Path, time_limit: int, max_output: int) -> None:
    """Inside the sandbox: execute the notebook, writing progress and a report next to it."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    nb = nbformat.read(notebook, as_version=4)
    executor = _BudgetedExecute(time.monotonic() + time_limit, max_output, executed,
                                kernel_name="python3", startup_timeout=time_limit,
                                extra_arguments=["--HistoryManager.hist_file=:memory:"])
    report = {"status": "ok", "reason": ""}
    out_of_time = {"status": "time limit", "reason": f"stopped after the time limit of {time_limit} s"}
    try:
        executor.preprocess(nb, {"metadata": {"path": str(notebook.parent)}})
        if time.monotonic() > executor.deadline - 1:
            report = out_of_time
    except CellTimeoutError:  # a cell that would not even be interrupted
        report = out_of_time
    except DeadKernelError:
        report = {"status": "kernel died",
                  "reason": "the kernel died (os._exit, exit(), a crash or the memory limit)"}
    except Exception as error:  # noqa: BLE001 - whatever it is, the grader reports it
        report = {"status": "crashed", "reason": f"{type(error).__name__}: {error}"[:300]}
    (notebook.parent / "report.json").write_text(json.dumps(report))


class SandboxedExecute(NbGraderPreprocessor):
    """Stands in for nbgrader's Execute in autograde: runs the notebook in the sandbox, then
    keeps only the outputs (cell sources, ids and points stay those nbgrader restored)."""

    time_limit = Integer(DEFAULT_TIME_LIMIT_S, help="seconds for the whole notebook").tag(config=True)
    memory = Integer(DEFAULT_MEMORY, help="address-space limit in bytes").tag(config=True)
    max_output = Integer(DEFAULT_MAX_OUTPUT, help="bytes of output kept per cell").tag(config=True)
    hidden = List(Unicode(), help="folders the submission must not see").tag(config=True)

    def preprocess(self, nb, resources):
        here = Path(resources["metadata"]["path"])
        name = resources["unique_key"]
        with tempfile.TemporaryDirectory(prefix="embedlab-grading-") as tmp:
            work = Path(tmp) / "work"
            shutil.copytree(here, work, ignore=shutil.ignore_patterns("*.ipynb", "*.run.json"))
            nbformat.write(nb, work / "submission.ipynb")
            start = time.monotonic()
            report = run_sandboxed(work, self.time_limit, self.memory, self.max_output,
                                   self.hidden)
            report["seconds"] = round(time.monotonic() - start, 1)
            _merge_outputs(nb, work / "executed.ipynb")
        _mark_unreached(nb, report)
        (here / f"{name}.run.json").write_text(json.dumps(report))
        return nb, resources


def _merge_outputs(nb, executed_path: Path) -> None:
    """Copy outputs and execution counts from the sandbox's notebook, cell by cell; anything
    that does not line up with the trusted notebook is ignored."""
    try:
        executed = nbformat.read(executed_path, as_version=4)
    except Exception:  # noqa: BLE001 - missing or garbled: treat as nothing ran
        return
    if [c.get("id") for c in executed.cells] != [c.get("id") for c in nb.cells]:
        return
    for cell, ran in zip(nb.cells, executed.cells):
        if cell.cell_type == "code" and ran.cell_type == "code":
            cell.outputs = ran.get("outputs", [])
            cell.execution_count = ran.get("execution_count")
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError:
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None


def _is_test_cell(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def _mark_unreached(nb, report: dict) -> None:
    """A test cell that never ran has no error, which nbgrader would score as full marks;
    give it an error saying why it did not run."""
    for cell in nb.cells:
        if _is_test_cell(cell) and cell.execution_count is None:
            reason = report.get("reason") or "the notebook stopped before this cell"
            cell.outputs = [nbformat.v4.new_output("error", ename=NOT_RUN, evalue=reason,
                                                   traceback=[f"{NOT_RUN}: {reason}"])]


# --------------------------------------------------------------------------- grade
CSV_COLUMNS = ("student", "exercise", "question", "points", "max_points", "status", "note", "seconds")


def _autograde_config(time_limit: int, memory: int, max_output: int, hidden: list[str]) -> Config:
    config = Config()
    config.Autograde.autograde_preprocessors = [
        SandboxedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
        AssignLatePenalties, CheckCellMetadata]
    config.SandboxedExecute.time_limit = time_limit
    config.SandboxedExecute.memory = memory
    config.SandboxedExecute.max_output = max_output
    config.SandboxedExecute.hidden = hidden
    return config


def _questions(root: Path, exercise: str) -> list[tuple[str, float]]:
    """(grade_id, points) of the exercise's test cells, in notebook order."""
    source = nbformat.read(root / "course" / "source" / exercise / f"{exercise}.ipynb", as_version=4)
    return [(c.metadata.nbgrader["grade_id"], float(c.metadata.nbgrader["points"]))
            for c in source.cells if _is_test_cell(c)]


def _question(grade_id: str) -> str:
    return grade_id.removesuffix("-tests")


def _first_error(cell) -> str:
    """'Name: first line of the message' of the cell's first error, or ''."""
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            first = (str(output.get("evalue", "")).strip().splitlines() or [""])[0]
            return f"{output.ename}: {first}"[:200].rstrip(": ")
    return ""


def _notes(autograded: Path) -> dict[str, str]:
    """grade_id -> why that test cell failed (first line of its error), from the graded
    notebook, naming the error of the answer cell above when there was one."""
    notes = {}
    try:
        nb = nbformat.read(autograded, as_version=4)
    except Exception:  # noqa: BLE001
        return notes
    answer_error = ""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if not _is_test_cell(cell):
            answer_error = _first_error(cell) or answer_error
            continue
        note = _first_error(cell)
        if not note and any(o.output_type == "stream" and o.name == "stderr" for o in cell.get("outputs", [])):
            note = "the test cell wrote to stderr (counts as a failure)"
        if note and answer_error and not note.startswith(NOT_RUN):
            note += f" (the code above raised {answer_error.split(':')[0]})"
        if note:
            notes[cell.metadata.nbgrader["grade_id"]] = note
        answer_error = ""
    return notes


def _restore_grading_metadata(nb, release: Path) -> None:
    """Give each cell the nbgrader metadata it had in the release, by grade_id; a cell the
    student added becomes an ordinary cell, and of copies of a cell the last one keeps it
    (tests follow answers). Made-up points or grade_ids would otherwise count, or stop
    nbgrader for the whole exercise; OverwriteCells then restores the locked cells' sources."""
    released = {c.metadata.nbgrader["grade_id"]: c.metadata.nbgrader
                for c in nbformat.read(release, as_version=4).cells if "nbgrader" in c.metadata}
    for cell in reversed(nb.cells):
        grade_id = cell.metadata.pop("nbgrader", {}).get("grade_id")
        if grade_id in released:
            cell.metadata["nbgrader"] = copy.deepcopy(released.pop(grade_id))


def grade_one(root: Path, submission: Submission, config: Config) -> list[dict]:
    """Autograde one student's exercise; one CSV row per question, never an exception."""
    questions = _questions(root, submission.exercise)
    row = dict(student=submission.student, exercise=submission.exercise)

    def zero(status: str, note: str) -> list[dict]:
        return [dict(row, question=_question(q), points=0.0, max_points=m, status=status, note=note,
                     seconds=0.0) for q, m in questions]

    if submission.path is None:
        return zero("missing", submission.problem)
    try:
        nbformat.validate(nbformat.read(submission.path, as_version=4))
    except Exception as error:  # noqa: BLE001 - any unreadable file is the student's loss only
        return zero("invalid notebook", f"not a valid notebook: {type(error).__name__}: {error}"[:200])

    ids = dict(student_id=submission.student, assignment_id=submission.exercise)
    submitted = root / "course" / "submitted" / submission.student / submission.exercise
    submitted.mkdir(parents=True, exist_ok=True)
    notebook = nbformat.read(submission.path, as_version=4)
    _restore_grading_metadata(notebook, root / "course" / "release" / submission.exercise / f"{submission.exercise}.ipynb")
    nbformat.write(notebook, submitted / f"{submission.exercise}.ipynb")
    try:
        _nbgrader(Autograde, root, config, **ids)
        _nbgrader(GenerateFeedback, root, **ids)
        return _graded_rows(root, submission, questions, row)
    except Exception as error:  # noqa: BLE001 - nbgrader refused this notebook (e.g. broken metadata)
        return zero("error", f"nbgrader could not grade it: {type(error).__name__}: {error}"[:200])


def _graded_rows(root: Path, submission: Submission, questions, row: dict) -> list[dict]:
    """The CSV rows of a submission nbgrader has autograded; copies its feedback page."""
    student, exercise = submission.student, submission.exercise
    course = root / "course"
    html = course / "feedback" / student / exercise / f"{exercise}.html"
    if html.exists():
        target = root / "feedback" / student / f"{exercise}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(html, target)
    graded_dir = course / "autograded" / student / exercise
    report = json.loads((graded_dir / f"{exercise}.run.json").read_text())
    status = "graded" if report["status"] == "ok" else report["status"]
    notes = _notes(graded_dir / f"{exercise}.ipynb")
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", COURSE_ID) as gb:
        grades = gb.find_submission_notebook(exercise, exercise, student).grades
        scores = {g.name: (g.score, g.auto_score) for g in grades}
    rows = []
    for grade_id, max_points in questions:
        score, auto = scores.get(grade_id, (None, None))
        note = notes.get(grade_id, "")
        if auto is None:
            note = "test cell missing from the submission (deleted or its metadata changed)"
        rows.append(dict(row, question=_question(grade_id), points=float(score or 0.0),
                         max_points=max_points, status=status, note=note, seconds=report["seconds"]))
    return rows


def grade(submissions: Path, out: Path, exercises_dir: Path = EXERCISES_DIR, only: list[str] | None = None,
          time_limit: int = DEFAULT_TIME_LIMIT_S, memory: int = DEFAULT_MEMORY,
          max_output: int = DEFAULT_MAX_OUTPUT, progress=print) -> list[dict]:
    """Autograde every submission in ``submissions`` into ``out`` (see the module docstring)."""
    submissions, out = Path(submissions).resolve(), Path(out).resolve()
    if not submissions.is_dir():
        raise NotADirectoryError(f"SUBMISSIONS must be a folder of submitted notebooks, got {submissions}")
    if out.is_relative_to(submissions) or submissions.is_relative_to(out):
        raise ValueError(f"the output folder {out} and the submissions {submissions} must not contain each other")
    sandbox_command()
    exercises = exercise_notebooks(exercises_dir)
    todo = collect(submissions, list(exercises), only)
    if not todo:
        raise FileNotFoundError(f"no submissions found in {submissions} (expected <student>/<exercise>.ipynb "
                                "or <student>_<exercise>.ipynb)")
    out = _fresh_dir(out, GRADING_MARKER)
    prepare_course(out, {name: exercises[name] for name in sorted({s.exercise for s in todo})})
    # What the sandbox must not see; a folder holding Python, the course or its data stays visible.
    needed = [Path(sys.executable).resolve(), Path(sys.base_prefix).resolve(), REPO]
    hidden = [str(p) for p in (out, submissions, Path.home().resolve())
              if not any(n.is_relative_to(p) for n in needed)]
    config = _autograde_config(time_limit, memory, max_output, hidden)
    rows = []
    for submission in todo:
        start = time.monotonic()
        graded = grade_one(out, submission, config)
        rows += graded
        points, total = sum(r["points"] for r in graded), sum(r["max_points"] for r in graded)
        progress(f"{submission.student:>16}  {submission.exercise:<32} {points:g}/{total:g}"
                 f"  {graded[0]['status']:<16} {time.monotonic() - start:5.1f} s")
    with open(out / "grades.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    progress(f"wrote {out / 'grades.csv'} and feedback/<student>/<exercise>.html")
    return rows


# --------------------------------------------------------------------------- CLI
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m embedlab.course.grading", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    rel = commands.add_parser("release", help="write the student release")
    rel.add_argument("--out", type=Path, default=Path("build/student"))
    grd = commands.add_parser("grade", help="autograde a folder of submissions")
    grd.add_argument("submissions", type=Path)
    grd.add_argument("--out", type=Path, default=Path("build/grading"))
    grd.add_argument("--exercises", nargs="*", help="exercise names to grade (default: all handed in)")
    grd.add_argument("--time-limit", type=int, default=DEFAULT_TIME_LIMIT_S, help="seconds per notebook")
    grd.add_argument("--memory-gb", type=float, default=DEFAULT_MEMORY / GiB, help="address-space limit")
    run = commands.add_parser("_run")  # internal: what runs inside the sandbox
    run.add_argument("notebook", type=Path)
    run.add_argument("executed", type=Path)
    run.add_argument("--time-limit", type=int, required=True)
    run.add_argument("--max-output", type=int, required=True)
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    if args.command == "_run":
        _run(args.notebook, args.executed, args.time_limit, args.max_output)
        return 0
    try:
        if args.command == "release":
            written = release(args.out)
            print(f"wrote {len(written)} notebooks and README.md under {args.out}")
        else:
            grade(args.submissions, args.out, only=args.exercises, time_limit=args.time_limit,
                  memory=int(args.memory_gb * GiB))
    except (OSError, ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
