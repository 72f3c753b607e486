"""The lecture conventions every lesson follows (issue #15), and the slide decks built from them.

Each lesson's title cell carries a 50-minute lecture plan; two or three in-class questions sit at
the end of the section they test, each followed by its answer as a speaker note; every cell has
a valid `slideshow.slide_type`. A deck rendered from a lesson loads nothing from the network.
"""

import io
import json
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from embedlab import course
from embedlab.course import slides

ROOT = Path(__file__).resolve().parents[1]
LESSONS = course.notebooks()
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}
QUESTION = "**In-class question.**"
OPTION = re.compile(r"^- \*\*([A-D])\.\*\* \S", re.M)
ANSWER = re.compile(r"<details><summary>Answer</summary>\n\n\*\*([A-D])\.\*\* (\S.*)\n\n</details>", re.S)
PLAN_ROW = re.compile(r"^\| *(\d+) *\| *(.+?) *\|$", re.M)


def _cells(path):
    return json.loads(path.read_text())["cells"]


def _source(cell):
    return "".join(cell["source"])


def _slide_type(cell):
    return cell["metadata"].get("slideshow", {}).get("slide_type")


def _optional_part(cells):
    """Indices of the '## Going further (optional)' part, up to the summary; the slides skip it
    (tests/test_notebooks.py checks that), so the slide-layout rules below do not apply there."""
    start = next((i for i, c in enumerate(cells)
                  if c["cell_type"] == "markdown" and _source(c).startswith("## Going further (optional)")), None)
    if start is None:
        return set()
    end = next((i for i in range(start + 1, len(cells)) if cells[i]["cell_type"] == "markdown"
                and re.match(r"#{1,2} +(Summary|References)\b", _source(cells[i]))), len(cells))
    return set(range(start, end))


def _plan(path):
    title = _source(_cells(path)[0])
    assert "**Lecture plan (50 min).**" in title, "the title cell needs a '**Lecture plan (50 min).**' table"
    return [(int(m), part) for m, part in PLAN_ROW.findall(title.split("**Lecture plan (50 min).**")[1])]


def test_there_are_lessons():
    assert LESSONS


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lecture_plan_fills_50_minutes_and_names_every_section(path):
    plan = _plan(path)
    assert sum(minutes for minutes, _ in plan) == 50, f"the plan's minutes sum to {sum(m for m, _ in plan)}, not 50"
    parts = [part for _, part in plan]
    # sections of the core path: the optional part (slide_type skip) is not in the plan
    sections = [_source(c).splitlines()[0][3:].strip() for c in _cells(path)
                if c["cell_type"] == "markdown" and re.match(r"## \d+\. ", _source(c)) and _slide_type(c) != "skip"]
    assert sections, "no numbered '## N. ...' sections found"
    missing = [s for s in sections if s not in parts]
    assert not missing, f"the lecture plan does not name these sections: {missing}"
    assert any("question" in p.lower() for p in parts), "plan time for the in-class questions"
    assert any("wrap-up" in p.lower() for p in parts), "plan a few minutes of wrap-up"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_two_or_three_questions_each_answered_in_the_speaker_notes(path):
    cells = _cells(path)
    asked = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and _source(c).startswith(QUESTION)]
    assert 2 <= len(asked) <= 3, f"{len(asked)} in-class questions; the convention is two or three"
    for i in asked:
        question = _source(cells[i])
        assert _slide_type(cells[i]) == "slide", "an in-class question is a slide of its own"
        letters = OPTION.findall(question)
        assert letters == list("ABCD"), f"options A-D, one per line ('- **A.** ...'), got {letters}: {question[:80]}"
        answer = cells[i + 1] if i + 1 < len(cells) else None
        assert answer is not None and answer["cell_type"] == "markdown" and _slide_type(answer) == "notes", \
            f"the question '{question[:60]}' must be followed by a markdown 'notes' cell with its answer"
        match = ANSWER.fullmatch(_source(answer))
        assert match, f"answer cell not in the '<details><summary>Answer</summary>' form: {_source(answer)[:80]!r}"
        prose = re.sub(r"`[^`]*`|\$[^$]*\$", "", match.group(2))     # code and maths hold no sentence ends
        assert 1 <= len(re.findall(r"[.!?](?:\s|$)", prose)) <= 3, "explain the answer in one to three sentences"
        after = next((c for c in cells[i + 2:] if c["cell_type"] == "markdown" and _slide_type(c) != "notes"), None)
        assert after is None or _source(after).startswith(("## ", QUESTION)), \
            "place a question at the end of the section it tests, right before the next '## ' heading"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_cell_has_valid_slide_metadata(path):
    cells = _cells(path)
    optional = _optional_part(cells)
    for i, cell in enumerate(cells):
        kind, text = _slide_type(cell), _source(cell)
        assert kind in SLIDE_TYPES, f"cell {i}: slideshow.slide_type {kind!r} is not one of {sorted(SLIDE_TYPES)}"
        if i in optional:
            continue
        if cell["cell_type"] == "markdown" and re.match(r"#{1,2} ", text):
            assert kind == "slide", f"cell {i}: a '#'/'##' heading starts a slide: {text.splitlines()[0]}"
        if cell["cell_type"] == "markdown" and text.startswith("### "):
            assert kind == "subslide", f"cell {i}: a '###' heading starts a subslide: {text.splitlines()[0]}"
        if kind == "notes":
            assert cell["cell_type"] == "markdown", f"cell {i}: speaker notes are markdown"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_set_up_is_skipped_and_figures_stay_visible(path):
    cells = _cells(path)
    first_code = next(c for c in cells if c["cell_type"] == "code")
    assert _slide_type(first_code) == "skip", "the set-up cell (imports, embedlab.setup()) is skipped in the slides"
    optional = _optional_part(cells)
    for i, cell in enumerate(cells):
        if i not in optional and any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])):
            caption = next(c for c in cells[i + 1:] if c["cell_type"] == "markdown")
            assert _slide_type(cell) != "skip" and _slide_type(caption) != "skip", \
                f"cell {i} draws a figure: the figure and its caption stay in the slides"


@pytest.fixture(scope="module")
def deck():
    return slides.render_deck(LESSONS[0])


def test_a_deck_loads_nothing_from_the_network(deck):
    loaded = re.findall(r"<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)\s*=\s*[\"']([^\"']*)", deck)
    loaded += re.findall(r"\bimport\b[^;]*?\bfrom\s*[\"']([^\"']+)", deck)
    loaded += re.findall(r"[\"']([^\"'\s]+\.js)[\"']", deck)    # require([...]) paths
    assert any("reveal" in url for url in loaded) and any("MathJax" in url for url in loaded), loaded
    remote = [url for url in loaded if re.match(r"(?:[a-z][a-z0-9+.-]*:)?//", url, re.I) and not url.startswith("data:")]
    assert not remote, f"the deck would load these from the network: {remote}"
    assert all(url.startswith(slides.ASSETS_DIR + "/") for url in loaded if not url.startswith("data:")), loaded


def test_a_deck_shows_answers_in_the_speaker_notes(deck):
    notes = re.findall(r'<aside class="notes">(.*?)</aside>', deck, re.S)
    assert any("<details open" in n and "Answer" in n for n in notes), \
        "in-class answers go to the speaker notes, already open"


def test_slides_refuses_a_missing_notebook(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such notebook"):
        slides.render_deck(tmp_path / "99_nothing.ipynb")
    with pytest.raises(FileNotFoundError, match="99_nothing.ipynb"):
        slides.build([tmp_path / "99_nothing.ipynb"], out=tmp_path / "out", cache=tmp_path / "cache")
    assert not (tmp_path / "cache").exists(), "nothing is fetched for a build that cannot succeed"


def _npm_tarball(path, files):
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_assets_unpack_from_the_pack_and_never_replace_a_foreign_folder(tmp_path):
    tarball = _npm_tarball(tmp_path / "demo-1.0.0.tgz", {"dist/demo.js": "v1", "test/spec.js": "", "unpacked/big.js": ""})
    target = tmp_path / "assets" / "demo"
    target.parent.mkdir()
    slides._unpack(tarball, target, "demo@1.0.0")
    assert (target / "dist" / "demo.js").read_text() == "v1"
    assert not (target / "test").exists() and not (target / "unpacked").exists(), "unused parts are left out"
    newer = _npm_tarball(tmp_path / "demo-2.0.0.tgz", {"dist/demo.js": "v2"})
    slides._unpack(newer, target, "demo@2.0.0")
    assert (target / "dist" / "demo.js").read_text() == "v2", "a new pinned version replaces our old copy"
    mine = tmp_path / "assets" / "mine"
    (mine / "notes.txt").parent.mkdir()
    (mine / "notes.txt").write_text("my own file")
    with pytest.raises(FileExistsError, match="not unpacked by this tool"):
        slides._unpack(newer, mine, "demo@2.0.0")
    assert (mine / "notes.txt").read_text() == "my own file"
    assert sorted(p.name for p in (tmp_path / "assets").iterdir()) == ["demo", "mine"], "no staging folder left"


def test_rise_is_enabled_for_live_presenting_in_jupyterlab():
    listing = subprocess.run([str(Path(sys.executable).parent / "jupyter"), "labextension", "list"],
                             capture_output=True, text=True)
    rise = [line for line in (listing.stdout + listing.stderr).splitlines() if "jupyterlab-rise" in line]
    assert rise and "enabled" in rise[0] and "OK" in rise[0], \
        f"jupyterlab-rise must be installed and enabled (make install): {rise}"
