"""Release the exercises to students and autograde their submissions, offline, with nbgrader.

    python -m embedlab.course.grading release [--out build/student] [--source DIR]
    python -m embedlab.course.grading grade SUBMISSIONS [--out build/grading] [--time-limit 120]
                                                        [--jobs N] [--source DIR]
    python -m embedlab.course.grading book-source [--out build/book-without-solutions]

``release`` runs nbgrader's generate_assignment on every ``notebooks/exercises/NN_*.ipynb``:
solutions become ``# YOUR CODE HERE`` / ``raise NotImplementedError()`` and hidden tests
disappear. The lessons are copied unchanged next to the exercises.

``grade`` autogrades a folder of submissions, laid out either as

    SUBMISSIONS/<student>/<exercise>.ipynb         one folder per student (subfolders are fine)
    SUBMISSIONS/<student>_<exercise>.ipynb         or flat files named by student

(``<exercise>`` is the released file name, e.g. ``01_vectors_and_similarity``), into
``grades.csv`` (one row per student, exercise and question) and one HTML feedback page per
student and exercise. nbgrader keeps its course folder and sqlite gradebook next to them.

Every submission is untrusted. It is copied (the input folder is never written to; symbolic
links in it are refused), the locked cells (set-up and tests) are restored from the source by
nbgrader's OverwriteCells, and the notebook runs in its own bubblewrap sandbox, which shows
only the system, Python and its packages, and the course's package, data and lessons (no
exercise sources, repository history, book build, grading folder, other submissions or home
folder), with no network, no capabilities, a memory limit, a time limit for the notebook
(then the process group is killed), and a cap on the output kept. After the last cell the
student's kernel stays up to answer the verdict process (``embedlab.course.verdict``), which
runs the exercise's set-up and full tests from the source in a second sandbox, never running
student code: a question scores only if its test cell passes in both, so a submission that
tampers with its own kernel gains nothing. Whatever goes wrong costs that student the affected
questions, with the reason in the CSV; the run goes on. ``--jobs`` submissions are graded at
once (the sandboxed runs overlap; nbgrader's bookkeeping is done one at a time). The exit code
is 0 when every submission was graded (including those graded 0), 2 for unusable arguments.

``book-source`` writes the book's sources with the student version of every exercise
(``make book SOLUTIONS=hide``).
"""

from __future__ import annotations

import argparse
import contextlib
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
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader import utils as nbgrader_utils
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

from embedlab.course import EXERCISES_DIR, LESSONS_DIR, REPO, notebooks, verdict

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
CALL_TIMEOUT_S = 30  # one call of a student's function by the verdict process

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

1. Install the course as its README says (`make install`), then open JupyterLab on this copy
   from the course's folder: `make lab LAB_DIR=<this folder>/notebooks` (it opens START_HERE.md).
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
    for lesson in notebooks(lessons_dir) + sorted(Path(lessons_dir).glob("START_HERE.md")):
        shutil.copyfile(lesson, out / "notebooks" / lesson.name)
        written.append(out / "notebooks" / lesson.name)
    (out / "README.md").write_text(STUDENT_README)
    return written


BOOK_MARKER = ".embedlab-book-without-solutions"


def book_without_solutions(out: Path, exercises_dir: Path = EXERCISES_DIR) -> Path:
    """The book's sources with the student version of every exercise (no solutions, no hidden
    tests, not executed), for a class that grades them; build it with jupyter-book in ``out``."""
    import yaml

    out = _fresh_dir(Path(out), BOOK_MARKER)
    shutil.copytree(REPO / "book", out / "book", ignore=shutil.ignore_patterns("_build"))
    shutil.copytree(LESSONS_DIR, out / "notebooks", ignore=shutil.ignore_patterns("exercises", ".ipynb_checkpoints"))
    release(out / "release", exercises_dir=exercises_dir)
    shutil.move(out / "release" / "notebooks" / "exercises", out / "notebooks" / "exercises")
    shutil.rmtree(out / "release")
    config_path = out / "book" / "_config.yml"
    config = yaml.safe_load(config_path.read_text())
    config.setdefault("execute", {})["exclude_patterns"] = ["notebooks/exercises/*"]  # unanswered
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    return out


# --------------------------------------------------------------------------- collect
@dataclass
class Submission:
    student: str
    exercise: str
    path: Path | None  # None: nothing usable was handed in
    problem: str = ""  # why it cannot be graded, for the CSV
    status: str = "missing"  # the CSV status when it cannot be graded


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

    refused: dict[tuple[str, str] | str, str] = {}  # (student, exercise) or student -> why
    link = "is a symbolic link, which grading never follows; hand in the file itself"

    for entry in sorted(Path(submissions).iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            match = exercise_of_flat(entry.stem) if entry.suffix == ".ipynb" else None
            if match:
                students.add(match[0])
                refused[match] = f"{entry.name} {link}"
            else:
                students.add(entry.name)
                refused[entry.name] = f"{entry.name} {link}"
        elif entry.is_dir():
            students.add(entry.name)
            for folder, dirs, files in os.walk(entry):  # never follows links to folders
                dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints")
                for name in sorted(files):
                    nb = Path(folder) / name
                    if nb.suffix != ".ipynb":
                        continue
                    if nb.stem not in exercises:
                        unrecognised.setdefault(entry.name, []).append(str(nb.relative_to(entry)))
                    elif nb.is_symlink():
                        refused[entry.name, nb.stem] = f"{nb.relative_to(entry)} {link}"
                    else:
                        found.setdefault((entry.name, nb.stem), []).append(nb)
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
            why = refused.get((student, exercise)) or refused.get(student)
            if why:
                result.append(Submission(student, exercise, None, why, status="refused"))
                continue
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


SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/sys")


def _visible_paths() -> list[str]:
    """What a sandbox shows, read-only: the system, Python and its packages, and of the course
    its package, data and lessons. Nothing else of the file system exists in there: not the
    repository's history or tests, the book's build, the grading folders, other submissions or
    anybody's home (the exercise sources under the lessons are hidden by ``_sandbox``)."""
    allowed = [REPO / "src", REPO / "data", LESSONS_DIR, REPO / "tests" / "offline", Path(sys.prefix).resolve()]
    candidates = [Path(p) for p in SYSTEM_DIRS] + [Path(p) for p in sys.path if p] + allowed + [
        Path(sys.base_prefix), Path(sys.exec_prefix), Path(sys.executable).parent]
    shown = set()
    for path in candidates:
        real = path.resolve()
        if not real.exists() or real == Path("/") or REPO.is_relative_to(real):
            continue  # the root, the repository or a folder above it: far too much
        if real.is_relative_to(REPO) and not any(real.is_relative_to(ok) for ok in allowed):
            continue
        shown.add(real)
    return sorted(str(p) for p in shown if not any(p != q and p.is_relative_to(q) for q in shown))


def _sandbox(work: Path, argv: list[str], hidden: list[str]) -> list[str]:
    """The bubblewrap command running ``argv`` with ``work`` as its only writable folder."""
    visible = _visible_paths()
    # A private /tmp first: the course, its Python or the work folder may live under /tmp
    # (a CI clone), and are bound on top of it.
    mounts = ["--dev", "/dev", "--proc", "/proc", "--size", str(SANDBOX_TMP), "--tmpfs", "/tmp"]
    for path in visible:
        mounts += ["--ro-bind", path, path]
    for path in SYSTEM_DIRS:  # merged /usr: /lib is a link to usr/lib, and binaries name /lib64/...
        if Path(path).is_symlink():
            mounts += ["--symlink", os.readlink(path), path]
    for path in hidden:  # a hidden folder inside a visible one (the exercises under the lessons)
        path = Path(path).resolve()
        if path.is_dir() and any(path.is_relative_to(v) for v in visible):
            mounts += ["--tmpfs", str(path)]
    mounts += ["--bind", str(work), str(work), "--chdir", str(work)]
    return [sandbox_command(), *mounts, "--unshare-all", "--die-with-parent", "--new-session",
            "--cap-drop", "ALL", "--", sys.executable, *argv]


def run_sandboxed(work: Path, time_limit: int, memory: int, max_output: int,
                  hidden: list[str], source: Path | None = None,
                  student_cells: list[str] | None = None) -> dict:
    """Execute ``work/submission.ipynb`` into ``work/executed.ipynb`` inside a sandbox and, given
    the exercise's ``source``, decide each test cell again in a second sandbox
    (``embedlab.course.verdict``), linked to the student's kernel by two pipes only.

    Returns the runner's report ({"status", "reason"}, and "verdict" when checked) or, when a
    sandbox had to be killed or died without one, a report saying so.
    """
    def limits():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE, MAX_FILE))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    for sub in ("home", "runtime", "ipython", "matplotlib", "numba"):
        (work / sub).mkdir(exist_ok=True)
    student_argv = ["-m", "embedlab.course.grading", "_run", str(work / "submission.ipynb"),
                    str(work / "executed.ipynb"), f"--time-limit={time_limit}", f"--max-output={max_output}"]
    processes, pass_fds, logs = [], {}, []
    judge = work.parent / "verdict"
    if source is not None:
        judge.mkdir(exist_ok=True)
        for sub in ("home", "matplotlib", "numba"):
            (judge / sub).mkdir(exist_ok=True)
        shutil.copyfile(source, judge / "source.ipynb")
        (judge / "student_cells.json").write_text(json.dumps(student_cells or []))
        to_student_r, to_student_w = os.pipe()
        to_judge_r, to_judge_w = os.pipe()
        student_argv.append(f"--serve-fds={to_student_r},{to_judge_w}")
        pass_fds = {"student": (to_student_r, to_judge_w), "judge": (to_student_w, to_judge_r)}
    runs = [("student", work, student_argv)]
    if source is not None:
        runs.append(("judge", judge, ["-m", "embedlab.course.verdict", str(judge / "source.ipynb"),
                                      str(judge / "student_cells.json"), str(judge / "verdict.json"),
                                      f"--fds={pass_fds['judge'][0]},{pass_fds['judge'][1]}"]))
    try:
        for name, folder, argv in runs:
            logfile = open(folder / "sandbox.log", "wb")
            logs.append(logfile)
            processes.append(subprocess.Popen(
                _sandbox(folder, argv, hidden), env=_sandbox_env(folder), stdin=subprocess.DEVNULL,
                stdout=logfile, stderr=subprocess.STDOUT, preexec_fn=limits, start_new_session=True,
                pass_fds=pass_fds.get(name, ())))
    finally:
        for fds in pass_fds.values():  # only the sandboxes hold the pipes now
            for fd in fds:
                os.close(fd)
        for logfile in logs:
            logfile.close()
    # The notebook has time_limit; the verdict then has as long again for its calls.
    deadline = time.monotonic() + time_limit * (2 if source is not None else 1) + KILL_GRACE_S
    timed_out = False
    for process in reversed(processes):  # the judge first: the kernel serves until it is done
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            timed_out = True
            for p in processes:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGKILL)  # bwrap's pid namespace takes the kernel with it
            for p in processes:
                p.wait()
            break
    if timed_out and not (work / "report.json").exists():
        report = {"status": "time limit", "reason": f"stopped after the time limit of {time_limit} s"}
    else:
        try:
            report = json.loads((work / "report.json").read_text())
        except (OSError, ValueError):
            tail = (work / "sandbox.log").read_bytes()[-300:].decode(errors="replace").strip()
            report = {"status": "crashed", "reason": f"the sandbox exited with code {processes[0].returncode}"
                                                     + (f": {tail.splitlines()[-1]}" if tail else "")}
    if source is not None:
        try:
            report["verdict"] = json.loads((judge / "verdict.json").read_text())["results"]
        except (OSError, ValueError, KeyError):
            tail = (judge / "sandbox.log").read_bytes()[-500:].decode(errors="replace").strip()
            log.warning("the verdict process failed: %s", tail)
            report["verdict"] = {}
    return report


class _BudgetedExecute(Execute):
    """nbgrader's Execute with one time budget for the whole notebook, a cap on the output
    kept per cell, and the notebook saved after every cell (a killed run keeps its progress)."""

    def __init__(self, deadline: float, max_output: int, save_to: Path, serve_fds=None, **kwargs):
        super().__init__(**kwargs)
        self.deadline, self.max_output, self.save_to = deadline, max_output, save_to
        self.serve_fds, self.served, self.notebook_done = serve_fds, False, None
        self.dropped: dict[int, int] = {}
        self.kept: dict[int, int] = {}

    def preprocess_cell(self, cell, resources, index):
        cell, resources = self._execute_in_budget(cell, resources, index)
        if self.serve_fds and index == len(self.nb.cells) - 1:
            self.serve()
        return cell, resources

    def serve(self) -> None:
        """After the last cell, while the kernel is up: answer the verdict process's calls to
        the student's functions (``embedlab.course.verdict``) until it hangs up."""
        self.served, self.notebook_done = True, time.monotonic()  # the calls are not the notebook's time
        fd_in, fd_out = self.serve_fds
        request, response = self.save_to.parent / "verdict-request.bin", self.save_to.parent / "verdict-response.bin"
        scratch = nbformat.v4.new_code_cell(verdict.SERVE_CODE.format(request=str(request), response=str(response)))
        self.nb.cells.append(scratch)  # nbclient stores the executed cell at its index
        try:
            while (frame := _read_request(fd_in)) is not None:
                request.write_bytes(frame)
                response.unlink(missing_ok=True)
                self.timeout = CALL_TIMEOUT_S
                scratch.outputs = []
                try:
                    self.execute_cell(scratch, len(self.nb.cells) - 1, store_history=False)
                except Exception as error:  # noqa: BLE001 - a dead or stuck kernel answers no more
                    log.debug("verdict call failed: %s", error)
                answer = response.read_bytes() if response.exists() else verdict.encode(
                    {"error": ["RuntimeError", "the function did not return (time limit, or the kernel died)"]})
                verdict.write_frame(fd_out, answer)
        finally:
            self.nb.cells.remove(scratch)

    def _execute_in_budget(self, cell, resources, index):
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


def _read_request(fd: int) -> bytes | None:
    try:
        return verdict.read_frame(fd)
    except (OSError, verdict.VerdictProtocolError):
        return None


def _refuse_requests(fds, reason: str) -> None:
    """The kernel is gone: every call the verdict process makes fails, with the reason."""
    fd_in, fd_out = fds
    while _read_request(fd_in) is not None:
        try:
            verdict.write_frame(fd_out, verdict.encode({"error": ["RuntimeError", reason]}))
        except OSError:
            return


def _run(notebook: Path, executed: Path, time_limit: int, max_output: int, serve_fds=None) -> None:
    """Inside the sandbox: execute the notebook, writing progress and a report next to it; then,
    with ``serve_fds``, answer the verdict process's calls until it is done."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    nb = nbformat.read(notebook, as_version=4)
    executor = _BudgetedExecute(time.monotonic() + time_limit, max_output, executed, serve_fds=serve_fds,
                                kernel_name="python3", startup_timeout=time_limit,
                                extra_arguments=["--HistoryManager.hist_file=:memory:"])
    report = {"status": "ok", "reason": ""}
    out_of_time = {"status": "time limit", "reason": f"stopped after the time limit of {time_limit} s"}
    try:
        executor.preprocess(nb, {"metadata": {"path": str(notebook.parent)}})
        if (executor.notebook_done or time.monotonic()) > executor.deadline - 1:
            report = out_of_time
    except CellTimeoutError:  # a cell that would not even be interrupted
        report = out_of_time
    except DeadKernelError:
        report = {"status": "kernel died",
                  "reason": "the kernel died (os._exit, exit(), a crash or the memory limit)"}
    except Exception as error:  # noqa: BLE001 - whatever it is, the grader reports it
        report = {"status": "crashed", "reason": f"{type(error).__name__}: {error}"[:300]}
    (notebook.parent / "report.json").write_text(json.dumps(report))
    if serve_fds and not executor.served:
        _refuse_requests(serve_fds, f"the notebook did not run to its end ({report['status']})")


class SandboxedExecute(NbGraderPreprocessor):
    """Stands in for nbgrader's Execute in autograde: runs the notebook in the sandbox, then
    keeps only the outputs (cell sources, ids and points stay those nbgrader restored)."""

    time_limit = Integer(DEFAULT_TIME_LIMIT_S, help="seconds for the whole notebook").tag(config=True)
    memory = Integer(DEFAULT_MEMORY, help="address-space limit in bytes").tag(config=True)
    max_output = Integer(DEFAULT_MAX_OUTPUT, help="bytes of output kept per cell").tag(config=True)
    hidden = List(Unicode(), help="folders the submission must not see").tag(config=True)
    source_dir = Unicode(help="the exercises' sources (with hidden tests), for the verdict").tag(config=True)

    def preprocess(self, nb, resources):
        here = Path(resources["metadata"]["path"])
        name = resources["unique_key"]
        source = Path(self.source_dir) / name / f"{name}.ipynb" if self.source_dir else None
        with tempfile.TemporaryDirectory(prefix="embedlab-grading-") as tmp:
            work = Path(tmp) / "work"
            shutil.copytree(here, work, ignore=shutil.ignore_patterns("*.ipynb", "*.run.json"))
            nbformat.write(nb, work / "submission.ipynb")
            start = time.monotonic()
            with _outside_bookkeeping():  # other submissions run meanwhile (JOBS)
                report = run_sandboxed(work, self.time_limit, self.memory, self.max_output, self.hidden,
                                       source=source, student_cells=_student_cells(nb))
            report["seconds"] = round(time.monotonic() - start, 1)
            _merge_outputs(nb, work / "executed.ipynb")
        _mark_unreached(nb, report)
        (here / f"{name}.run.json").write_text(json.dumps(report))
        return nb, resources


def _student_cells(nb) -> list[str]:
    """The code the student wrote: every code cell nbgrader did not lock."""
    return [c.source for c in nb.cells
            if c.cell_type == "code" and not c.metadata.get("nbgrader", {}).get("locked")]


# nbgrader's bookkeeping (its course folder and sqlite gradebook) is done one submission at a
# time; only the sandboxed runs, which take nearly all the time, overlap (JOBS).
_BOOKKEEPING = threading.Lock()
_holding = threading.local()


@contextlib.contextmanager
def _bookkeeping():
    with _BOOKKEEPING:
        _holding.lock = True
        try:
            yield
        finally:
            _holding.lock = False


@contextlib.contextmanager
def _outside_bookkeeping():
    held = getattr(_holding, "lock", False)
    if held:
        _holding.lock = False
        _BOOKKEEPING.release()
    try:
        yield
    finally:
        if held:
            _BOOKKEEPING.acquire()
            _holding.lock = True


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


def _autograde_config(time_limit: int, memory: int, max_output: int, hidden: list[str],
                      source_dir: Path | None = None) -> Config:
    config = Config()
    config.Autograde.autograde_preprocessors = [
        SandboxedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
        AssignLatePenalties, CheckCellMetadata]
    config.SandboxedExecute.time_limit = time_limit
    config.SandboxedExecute.memory = memory
    config.SandboxedExecute.max_output = max_output
    config.SandboxedExecute.hidden = hidden
    config.SandboxedExecute.source_dir = str(source_dir or "")
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
        return zero(submission.status, submission.problem)
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
        _nbgrader(Autograde, root, copy.deepcopy(config), **ids)
        _apply_verdict(root, submission, [q for q, _ in questions])
        _nbgrader(GenerateFeedback, root, **ids)
        return _graded_rows(root, submission, questions, row)
    except Exception as error:  # noqa: BLE001 - nbgrader refused this notebook (e.g. broken metadata)
        return zero("error", f"nbgrader could not grade it: {type(error).__name__}: {error}"[:200])


def _run_report(root: Path, submission: Submission) -> dict:
    graded_dir = root / "course" / "autograded" / submission.student / submission.exercise
    return json.loads((graded_dir / f"{submission.exercise}.run.json").read_text())


def _verdict_note(result: dict | None) -> str:
    if result is None:
        return "the grader could not run this test cell on its own (see the feedback page)"
    return f"the grader's own run of the tests failed: {result.get('note') or 'error'}"


VERDICT_ERROR = "GraderCheckFailed"  # ename of the note added to a test cell the verdict failed


def _apply_verdict(root: Path, submission: Submission, grade_ids: list[str]) -> None:
    """A test cell the verdict process did not pass scores 0, whatever the kernel showed; its
    feedback says why, below the outputs the kernel produced."""
    checked = _run_report(root, submission).get("verdict", {})
    failed = {g for g in grade_ids if not checked.get(g, {}).get("passed")}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", COURSE_ID) as gb:
        notebook = gb.find_submission_notebook(submission.exercise, submission.exercise, submission.student)
        for grade in notebook.grades:
            if grade.name in failed:
                grade.manual_score = 0.0
        gb.db.commit()
    path = root / "course" / "autograded" / submission.student / submission.exercise / f"{submission.exercise}.ipynb"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if _is_test_cell(cell) and grade_id in failed and not _first_error(cell):
            note = _verdict_note(checked.get(grade_id))
            cell.outputs.append(nbformat.v4.new_output("error", ename=VERDICT_ERROR, evalue=note,
                                                       traceback=[f"{VERDICT_ERROR}: {note}"]))
    nbformat.write(nb, path)


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
    report = _run_report(root, submission)
    status = "graded" if report["status"] == "ok" else report["status"]
    notes = _notes(graded_dir / f"{exercise}.ipynb")
    checked = report.get("verdict", {})
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", COURSE_ID) as gb:
        grades = gb.find_submission_notebook(exercise, exercise, student).grades
        scores = {g.name: (g.score, g.auto_score) for g in grades}
    rows = []
    for grade_id, max_points in questions:
        score, auto = scores.get(grade_id, (None, None))
        note = notes.get(grade_id, "").removeprefix(f"{VERDICT_ERROR}: ")
        if auto is None:
            note = "test cell missing from the submission (deleted or its metadata changed)"
        rows.append(dict(row, question=_question(grade_id), points=float(score or 0.0),
                         max_points=max_points, status=status, note=note, seconds=report["seconds"]))
    return rows


@contextlib.contextmanager
def _setenv_and_keep(**variables):
    os.environ.update(variables)
    yield


def grade(submissions: Path, out: Path, exercises_dir: Path = EXERCISES_DIR, only: list[str] | None = None,
          time_limit: int = DEFAULT_TIME_LIMIT_S, memory: int = DEFAULT_MEMORY,
          max_output: int = DEFAULT_MAX_OUTPUT, jobs: int | None = None, progress=print) -> list[dict]:
    """Autograde every submission in ``submissions`` into ``out`` (see the module docstring),
    ``jobs`` at a time (default: one per core); the grades do not depend on ``jobs``."""
    submissions, out = Path(submissions).resolve(), Path(out).resolve()
    exercises_dir = Path(exercises_dir).resolve()
    if not submissions.is_dir():
        raise NotADirectoryError(f"SUBMISSIONS must be a folder of submitted notebooks, got {submissions}")
    if out.is_relative_to(submissions) or submissions.is_relative_to(out):
        raise ValueError(f"the output folder {out} and the submissions {submissions} must not contain each other")
    jobs = jobs or os.cpu_count() or 1
    if jobs < 1:
        raise ValueError(f"JOBS must be a positive number of parallel gradings, got {jobs}")
    sandbox_command()
    exercises = exercise_notebooks(exercises_dir)
    todo = collect(submissions, list(exercises), only)
    if not todo:
        raise FileNotFoundError(f"no submissions found in {submissions} (expected <student>/<exercise>.ipynb "
                                "or <student>_<exercise>.ipynb)")
    out = _fresh_dir(out, GRADING_MARKER)
    prepare_course(out, {name: exercises[name] for name in sorted({s.exercise for s in todo})})
    # Folders the sandbox must not show even where they sit inside a visible one.
    hidden = [str(p) for p in (out, submissions, exercises_dir, EXERCISES_DIR, Path.home().resolve())]
    config = _autograde_config(time_limit, memory, max_output, hidden, source_dir=out / "course" / "source")

    def grade_logged(submission: Submission) -> list[dict]:
        start = time.monotonic()
        with _bookkeeping():
            graded = grade_one(out, submission, config)
        points, total = sum(r["points"] for r in graded), sum(r["max_points"] for r in graded)
        progress(f"{submission.student:>16}  {submission.exercise:<32} {points:g}/{total:g}"
                 f"  {graded[0]['status']:<16} {time.monotonic() - start:5.1f} s")
        return graded

    # nbgrader sets NBGRADER_EXECUTION around each notebook and deletes it after (its setenv
    # cannot restore a previous value), which overlapping gradings trip over: keep it set.
    previous, nbgrader_utils.setenv = nbgrader_utils.setenv, _setenv_and_keep
    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            rows = [row for graded in pool.map(grade_logged, todo) for row in graded]
    finally:
        nbgrader_utils.setenv = previous
        os.environ.pop("NBGRADER_EXECUTION", None)
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
    grd.add_argument("--jobs", type=int, default=None, help="submissions graded at once (default: one per core)")
    for command in (rel, grd):
        command.add_argument("--source", type=Path, default=EXERCISES_DIR,
                             help="folder of exercise sources NN_name.ipynb (default: the course's)")
    book = commands.add_parser("book-source", help="the book's sources with the student version of the exercises")
    book.add_argument("--out", type=Path, default=Path("build/book-without-solutions"))
    book.add_argument("--source", type=Path, default=EXERCISES_DIR)
    run = commands.add_parser("_run")  # internal: what runs inside the sandbox
    run.add_argument("notebook", type=Path)
    run.add_argument("executed", type=Path)
    run.add_argument("--time-limit", type=int, required=True)
    run.add_argument("--max-output", type=int, required=True)
    run.add_argument("--serve-fds", default="", help="IN,OUT: answer the verdict process's calls")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    if args.command == "_run":
        fds = tuple(int(fd) for fd in args.serve_fds.split(",")) if args.serve_fds else None
        _run(args.notebook, args.executed, args.time_limit, args.max_output, serve_fds=fds)
        return 0
    try:
        if args.command == "book-source":
            print(f"wrote the book's sources without solutions to {book_without_solutions(args.out, args.source)}")
        elif args.command == "release":
            written = release(args.out, exercises_dir=args.source)
            print(f"wrote {len(written)} notebooks and README.md under {args.out}")
        else:
            grade(args.submissions, args.out, exercises_dir=args.source, only=args.exercises,
                  time_limit=args.time_limit, memory=int(args.memory_gb * GiB), jobs=args.jobs)
    except (OSError, ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
