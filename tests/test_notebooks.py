"""The course's notebook conventions, checked on every lesson and exercise notebook.

Execution itself is tested by nbval (`make test` runs `pytest --nbval-lax notebooks`);
these tests check the shape that makes the notebooks a course: a title with learning
outcomes, `embedlab.setup()` first, one clean top-to-bottom run stored, captioned
figures, an exercise notebook per lesson in valid nbgrader source format.
"""

import json
import re
from pathlib import Path

import pytest

from embedlab import course

ROOT = Path(__file__).resolve().parents[1]
LESSONS = course.notebooks()
EXERCISES = course.notebooks(course.EXERCISES_DIR)
DOWNLOADS = re.compile(r"nltk\.download|fetch_20newsgroups|fetch_openml|gensim\.downloader|hf_hub_download|urlretrieve|requests\.get\(")


def _cells(path):
    return json.loads(path.read_text())["cells"]


def _source(cell):
    return "".join(cell["source"])


def test_there_are_lessons_and_exercises():
    assert LESSONS, "no lesson notebooks found in notebooks/"
    assert EXERCISES, "no exercise notebooks found in notebooks/exercises/"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_opens_with_title_outcomes_and_setup(path):
    cells = _cells(path)
    first = _source(cells[0])
    assert cells[0]["cell_type"] == "markdown" and first.startswith(f"# {path.name[:2]} "), \
        "the first cell is the title, '# NN · Topic'"
    assert "Learning outcomes" in first and "Prerequisites" in first, "state learning outcomes and prerequisites up front"
    assert re.search(r"Time and memory|CPU time", first), "state the expected CPU time and memory"
    first_code = next(c for c in cells if c["cell_type"] == "code")
    assert "embedlab.setup(" in _source(first_code), "the first code cell calls embedlab.setup()"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_outputs_come_from_one_clean_run(path):
    counts = [c.get("execution_count") for c in _cells(path) if c["cell_type"] == "code"]
    assert counts == list(range(1, len(counts) + 1)), \
        f"execution counts {counts[:8]}... are not one clean top-to-bottom run: run `make refresh`"
    errors = [o for c in _cells(path) for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, "a stored output is an error"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_figure_has_a_caption(path):
    cells = _cells(path)
    for i, cell in enumerate(cells):
        has_image = any("image/png" in o.get("data", {}) for o in cell.get("outputs", []))
        if has_image:
            following = next((c for c in cells[i + 1 :] if c["cell_type"] == "markdown"), None)
            assert following is not None and _source(following).lstrip().startswith("*Figure"), \
                f"cell {i} draws a figure: the next markdown cell should caption it ('*Figure: ...*')"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_has_checked_facts_and_an_exercise_notebook(path):
    sources = [_source(c) for c in _cells(path) if c["cell_type"] == "code"]
    assert any(s.startswith("# NBVAL_CHECK_OUTPUT") for s in sources), "mark the cells that state facts"
    assert (ROOT / "notebooks" / "exercises" / path.name).exists(), "each lesson has exercises/<same name>"


@pytest.mark.parametrize("path", LESSONS + EXERCISES, ids=lambda p: p.name)
def test_nothing_downloads(path):
    for cell in _cells(path):
        assert not DOWNLOADS.search(_source(cell)), f"a cell downloads at run time: {_source(cell)[:80]}"


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.name)
def test_exercise_notebook_is_valid_nbgrader_source(path):
    cells = _cells(path)
    ids, points = [], 0
    for cell in cells:
        meta = cell["metadata"].get("nbgrader")
        src = _source(cell)
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None, \
                "exercise notebooks are stored without outputs"
        if meta is None:
            assert "BEGIN SOLUTION" not in src and "BEGIN HIDDEN TESTS" not in src, \
                "markers outside an nbgrader cell would not be stripped"
            continue
        ids.append(meta["grade_id"])
        if meta.get("solution"):
            assert src.count("### BEGIN SOLUTION") == src.count("### END SOLUTION") >= 1, meta["grade_id"]
        if meta.get("grade"):
            assert meta.get("points", 0) > 0 and meta.get("locked"), f"{meta['grade_id']}: graded cells are locked and worth points"
            assert src.count("### BEGIN HIDDEN TESTS") == src.count("### END HIDDEN TESTS"), meta["grade_id"]
            points += meta["points"]
    assert len(ids) == len(set(ids)), f"grade_id values must be unique: {ids}"
    assert points > 0 and any("solution" in i for i in ids)
    assert re.search(rf"\b{points} points\b", _source(cells[0])), f"the first cell should say the total, {points} points"


def test_every_notebook_is_in_the_book():
    toc = (ROOT / "book" / "_toc.yml").read_text()
    listed = set(re.findall(r"file:\s*(\S+)", toc))
    missing = [str(p.relative_to(ROOT).with_suffix("")) for p in LESSONS + EXERCISES
               if str(p.relative_to(ROOT).with_suffix("")) not in listed]
    assert not missing, f"add these to book/_toc.yml: {missing}"


IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_figure_has_alt_text(path):
    for i, cell in enumerate(_cells(path)):
        if any(mime in o.get("data", {}) for o in cell.get("outputs", []) for mime in IMAGE_MIMES):
            alt = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt", "")
            assert len(alt.split()) >= 3, \
                f"cell {i} draws a figure: describe it for readers who cannot see it in metadata mystnb.image.alt"


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.name)
def test_exercise_solutions_are_collapsed_in_the_book(path):
    for cell in _cells(path):
        if cell["metadata"].get("nbgrader", {}).get("solution"):
            assert "hide-input" in cell["metadata"].get("tags", []), \
                f"{cell['metadata']['nbgrader']['grade_id']}: tag solution cells 'hide-input' so the book collapses them"


# Issue #19: learner-facing text does not speak of how the course was built. (Timing claims in
# prose, "24 s", "4 ms", "399 q/s", must match a time the notebook prints: tests/test_prose_numbers.py.)
BUILD_RESIDUE = re.compile(r"closing note|\bthe issue\b|heavily loaded|this session|\bdevelopers?\b|\bthe review\b"
                           r"|build machine", re.I)


@pytest.mark.parametrize("path", LESSONS + EXERCISES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_build_residue_in_learner_text(path):
    found = [f"cell {i}: ...{m.string[max(0, m.start() - 50):m.end() + 30]!r}..."
             for i, cell in enumerate(_cells(path)) for m in [BUILD_RESIDUE.search(_source(cell))] if m]
    assert not found, ("learner-facing text speaks of how the course was built (closing notes, the issue, the review, "
                       "the build machine or its load, this session, developers): say what the learner needs, e.g. "
                       "'on this run, ...' for timings\n" + "\n".join(found))


# Issue #19: material beyond the 50-minute core path sits in one clearly marked optional part,
# `## Going further (optional)`, up to the summary (or references); the slides skip it and the
# lecture plan (tests/test_slides.py: its minutes sum to 50) does not count it.
GOING_FURTHER = "## Going further (optional)"
END_OF_OPTIONAL = re.compile(r"#{1,2} +(Summary|References)\b")


def _slide_type(cell):
    return cell["metadata"].get("slideshow", {}).get("slide_type")


def _headings(cells):
    return [(i, _source(c).lstrip().splitlines()[0]) for i, c in enumerate(cells)
            if c["cell_type"] == "markdown" and _source(c).lstrip().startswith("#")]


def optional_part_problems(cells) -> list[str]:
    """What is wrong with a lesson's optional part (nothing if it has none)."""
    headings = _headings(cells)
    loose = [h for i, h in headings if i > 0 and re.search(r"going further|optional", h, re.I)
             and not h.startswith(GOING_FURTHER)]
    if loose:
        return [f"mark the optional part with one heading that starts with {GOING_FURTHER!r}: {loose}"]
    starts = [i for i, h in headings if h.startswith(GOING_FURTHER)]
    if len(starts) > 1:
        return [f"one optional part per lesson, found {len(starts)} {GOING_FURTHER!r} headings"]
    if not starts:
        return []
    start = starts[0]
    end = next((i for i, h in headings if i > start and END_OF_OPTIONAL.match(h)), None)
    if end is None:
        return ["the optional part runs up to the '## Summary' (or '## References') heading: add one after it"]
    problems = []
    shown = [i for i in range(start, end) if _slide_type(cells[i]) != "skip"]
    if shown:
        problems.append(f"cells {shown} are in the optional part (cells {start}-{end - 1}) but the slides would show "
                        "them: give them metadata \"slideshow\": {\"slide_type\": \"skip\"}")
    optional = [re.sub(r"^#+\s*(\d+(\.\d+)*\.?\s*)?", "", h).strip() for i, h in headings if start < i < end]
    plan = _source(cells[0]).split("Lecture plan", 1)[-1]
    planned = [t for t in optional if t and t in plan]
    if planned:
        problems.append(f"the lecture plan covers the core path only, but it names optional sections: {planned}")
    return problems


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_optional_part_is_marked_and_skipped_by_the_slides(path):
    problems = optional_part_problems(_cells(path))
    assert not problems, "\n".join(problems)


def test_optional_part_check_itself():
    def cell(text, slide="slide"):
        return {"cell_type": "markdown", "source": text, "metadata": {"slideshow": {"slide_type": slide}}}

    title = cell("# 01 · T\n\n**Lecture plan (50 min).**\n\n| min | part |\n|---|---|\n| 50 | 1. Core |\n")
    core = [title, cell("## 1. Core"), cell("text", "-")]
    summary = [cell("## Summary"), cell("**References.**", "-")]
    optional = [cell("## Going further (optional)", "skip"), cell("### Extra", "skip"), cell("more", "skip")]
    assert optional_part_problems(core + summary) == []
    assert optional_part_problems(core + optional + summary) == []
    shown = [cell("## Going further (optional)", "skip"), cell("### Extra", "skip"), cell("more", "-")]
    assert "slides would show" in optional_part_problems(core + shown + summary)[0]
    assert "heading that starts with" in optional_part_problems(core + [cell("## Optional: extra", "skip")] + summary)[0]
    assert "runs up to" in optional_part_problems(core + optional)[0]
    planned = [cell("## Going further (optional)", "skip"), cell("### Core", "skip")]
    assert "names optional sections" in optional_part_problems(core + planned + summary)[0]
