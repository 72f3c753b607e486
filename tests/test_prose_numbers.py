"""Prose follows outputs: every number quoted in a lesson's markdown comes from that notebook.

For every lesson notebook (``embedlab.course.notebooks()``), each number in a markdown cell
must be found, at the precision the prose quotes it, among the numbers of the same
notebook's stored outputs (stream text, ``text/plain``, ``text/html``, ``text/markdown``)
or code. "Found" means *rounds to it*, not "is a substring of": the prose's 0.27 matches an
output 0.2734, 27% matches 0.27 or 27.3, 6.2M matches 6,213,456, 400 matches 399 (a round
number is read at the precision of its last non-zero digit), 1.36x matches 1.3612.

Not checked (they are not claims about this notebook's results):

- numbers in math (``$...$``, ``$$...$$``, ``\\(...\\)``, ``\\[...\\]``), inline code, fenced
  code, HTML tags, URLs and link targets;
- references: "lesson 03", "section 4", "Figure 2", "Table 1", "equation (3.2)", "Question 1",
  "Exercise 2", "Q3", a ``(10.1)`` that is one of the notebook's ``\\tag{}`` numbers, section
  numbers at the start of a heading, numbered-list markers;
- years 1900-2099, and integers 0-10 written bare (without %, x, a multiplier or a time unit:
  "4 ms" and "3x" are checked);
- numbers that are part of a name ("word2vec", "ViT-B/32", "GloVe 6B", "L6"), version
  strings ("4.46.3");
- a result computed in the sentence from numbers that are checked ("1/20 = 0.05");
- the lecture plan's minutes in the first cell (tests/test_notebooks.py checks they sum to
  50) and the answer options of an in-class question (distractors are false on purpose; the
  question's stem and the answer in the notes are checked);
- the reviewed allow-list ``tests/prose_allowlist.toml``: numbers quoted from papers
  (results, hyper-parameters), each with its reason. Keep it short.

Timing claims ("24 s", "4 ms", "399 q/s", "about 3 minutes") are numbers like any other:
they must be the notebook's own printed timing.

Run ``python tests/test_prose_numbers.py [out.txt]`` to list every lesson's failures.
"""

from __future__ import annotations

import bisect
import json
import math
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from embedlab import course

ALLOWLIST = Path(__file__).with_name("prose_allowlist.toml")
OUTPUT_MIMES = ("text/plain", "text/html", "text/markdown")

# ---------------------------------------------------------------------------- markdown -> prose


def _blank(match: re.Match) -> str:
    """Replace a span by spaces (newlines kept), so positions and lines survive."""
    return re.sub(r"[^\n]", " ", match.group(0))


FENCE = re.compile(r"^(?P<fence>```+|~~~+)(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.M | re.S)
PROSE_DIRECTIVE = re.compile(r"\{(?!code|code-block|code-cell|math|literalinclude|raw)[\w-]+\}")
MATH = re.compile(
    r"\$\$.*?\$\$|\\\[.*?\\\]|\\begin\{(\w+\*?)\}.*?\\end\{\1\}|(?<![\\\w])\$(?!\s)[^$\n]+?(?<![\s\\])\$|\\\(.*?\\\)",
    re.S,
)
BARE_NUMBER = re.compile(r"(?:\$|`+)\s*([-−+]?\d[\d,._]*(?:\{,\}\d+)*(?:\\%|%)?)\s*(?:\$|`+)")
INLINE_CODE = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S)
HTML = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.S)
LINK_TARGET = re.compile(r"(?<=\])\([^)\s]*(?:\s+\"[^\"]*\")?\)|^\s*\[[^\]]+\]:\s*\S+.*$", re.M)
URL = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.\S+|\S+@\S+\.\w+|\b(?:arXiv|doi|DOI|ISBN):\s*\S+")
# a cell's reference list: volumes, issues and pages are not claims about the notebook
REFERENCES = re.compile(r"^[ \t]*(?:#+[ \t]*|\*\*)(?:References|Further reading|Bibliography)\b.*", re.M | re.S)
ENTITY = re.compile(r"&#?\w+;")


def prose_text(markdown: str) -> str:
    """The markdown with everything that is not prose blanked out (same length, same lines)."""
    def fence(m):
        info = m.group("info").strip()
        if info.startswith("{") and PROSE_DIRECTIVE.match(info):  # a MyST directive: its body is prose
            body = re.sub(r"^:\w[\w-]*:.*$", _blank, m.group("body"), flags=re.M)  # drop its options
            return " " * len(m.group("fence") + m.group("info")) + "\n" + body + " " * len(m.group("fence"))
        return _blank(m)

    def keep_bare_number(m):  # `$25$ ms` or `` `0.93` `` quotes a number: it stays prose
        inner = BARE_NUMBER.fullmatch(m.group(0))
        if inner:
            start, end = inner.span(1)
            return " " * start + inner.group(1).replace("{,}", ",  ").replace("\\%", " %") + " " * (len(m.group(0)) - end)
        return _blank(m)

    text = FENCE.sub(fence, markdown)
    for pattern in (MATH, INLINE_CODE):
        text = pattern.sub(keep_bare_number, text)
    for pattern in (HTML, LINK_TARGET, URL, ENTITY, REFERENCES):
        text = pattern.sub(_blank, text)
    return text


# ---------------------------------------------------------------------------------- tokens

MULTIPLIERS = {"k": 1e3, "K": 1e3, "thousand": 1e3, "M": 1e6, "million": 1e6, "billion": 1e9}
PERCENT_WORDS = ("%", "percent", "percentage points", "points", "pp")
TIME_UNITS = ("ms", "s", "sec", "secs", "seconds", "second", "min", "mins", "minute", "minutes",
              "h", "hours", "hour", "µs", "us", "ns", "q/s", "/s", "it/s")
# letters that may follow a number directly without making it part of a name
UNIT_LETTERS = {"k", "K", "M", "x", "ms", "s", "min", "h", "µs", "us", "ns", "GB", "MB", "KB", "kB",
                "GiB", "MiB", "Hz", "kHz", "dB", "D", "d", "st", "nd", "rd", "th", "px", "fps"}

NUMBER = re.compile(
    r"(?<![\w.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?P<exp>[eE][-+]?\d+(?![\w]))?"
)
SUFFIX = re.compile(
    r"[ \t]{0,4}(?P<suffix>%|×|x\b|percentage points\b|percent\b|points?\b|pp\b|times\b|thousand\b|million\b|billion\b"
    r"|[kKM]\b)"
)
UNIT_AFTER = re.compile(r"[ \t]{0,4}(?P<unit>" + "|".join(re.escape(u) for u in sorted(TIME_UNITS, key=len, reverse=True)) + r")(?![\w])")

REFERENCE = re.compile(
    r"(?:\b(?:lessons?|sections?|figures?|figs?\.|tables?|equations?|eqs?\.|questions?|exercises?|parts?"
    r"|steps?|chapters?|appendix|notebooks?|cells?|cell index|§)\s*\(?|\bQ(?=\d))"
    r"\d+(?:\.\d+)*\)?(?:(?:\s*(?:,|and|or|to|-|–)\s*)\d+(?:\.\d+)*)*",
    re.I,
)
HEADING_NUMBER = re.compile(r"^(#{1,6}\s+)(\d+(?:\.\d+)*\.?)(?=\s)", re.M)
LIST_MARKER = re.compile(r"^(\s*)(\d+[.)])(?=\s)", re.M)
PLAN = re.compile(r"Lecture plan \(\d+ min\)")
PLAN_ROW = re.compile(r"^\|\s*\d+\s*\|.*\|\s*$", re.M)
QUESTION_OPTION = re.compile(r"^\s*[-*]\s*\*\*[A-H][.)]\*\*.*(?:\n(?![ \t]*[-*]\s)(?![ \t]*\n).*)*", re.M)
ARITHMETIC = re.compile(
    r"(?P<a>\d[\d,]*(?:\.\d+)?)\s*(?P<op>[/×x*·+−-])\s*(?P<b>\d[\d,]*(?:\.\d+)?)\s*(?:=|≈|~)\s*"
    r"(?P<c>\d[\d,]*(?:\.\d+)?)(?P<pct>\s?%)?"
)


@dataclass(frozen=True)
class Number:
    text: str  # as written, e.g. "6.2M", "27%", "-0.12"
    value: float  # e.g. 6.2e6, 27, -0.12
    unit: float  # the precision the prose quotes it at, e.g. 1e5, 1, 0.01
    percent: bool  # 27% (or "14 points"): also matches 0.27
    start: int  # position in the cell's source
    is_time: bool = False

    def matches(self, w: float) -> bool:
        tol = self.unit / 2 * (1 + 1e-9) + 1e-12
        return abs(w - self.value) <= tol or (self.percent and abs(100 * w - self.value) <= tol)


def _precision(digits: str) -> float:
    """0.27 -> 0.01; 27 -> 1; 20 -> 1; 400 -> 100 (from 3 digits, a round number is read at its last non-zero digit)."""
    digits = digits.replace(",", "")
    if "." in digits:
        return 10.0 ** -len(digits.split(".")[1])
    stripped = digits.rstrip("0")
    if not stripped or len(digits) <= 2:  # "0"; 20 and 60 are read exactly, 400 as 350-449
        return 1.0
    return 10.0 ** (len(digits) - len(stripped))


def _reference_spans(text: str, tags: set[str]) -> list[tuple[int, int]]:
    spans = [m.span() for m in REFERENCE.finditer(text)]
    spans += [m.span(2) for m in HEADING_NUMBER.finditer(text)]
    spans += [m.span(2) for m in LIST_MARKER.finditer(text)]
    spans += [m.span() for m in PLAN.finditer(text)]
    for tag in tags:  # "(10.1)": a reference to the notebook's equation \tag{10.1}
        spans += [m.span() for m in re.finditer(r"\(\s*" + re.escape(tag) + r"\s*\)", text)]
    return spans


def prose_numbers(markdown: str, tags: set[str] = frozenset(), first_cell: bool = False,
                  lesson: str | None = None) -> list[Number]:
    """The numbers a markdown cell claims, with what is not a claim left out (see the module doc)."""
    text = prose_text(markdown)
    if first_cell and PLAN.search(text):
        text = PLAN_ROW.sub(_blank, text)
    if text.lstrip().startswith("**In-class question"):
        text = QUESTION_OPTION.sub(_blank, text)
    skip = _reference_spans(text, tags)
    derived = set()
    for m in ARITHMETIC.finditer(text):
        a, b, c = (float(m.group(g).replace(",", "")) for g in "abc")
        op = m.group("op")
        result = {"/": a / b if b else math.nan, "+": a + b}.get(op, a - b if op in "−-" else a * b)
        if m.group("pct"):
            result *= 100
        if abs(result - c) <= _precision(m.group("c")) / 2 * (1 + 1e-9):
            derived.add(m.start("c"))

    numbers = []
    for m in NUMBER.finditer(text):
        start, end = m.span()
        if start in derived or any(a <= start < b for a, b in skip):
            continue
        raw = m.group("num")
        before = text[max(0, start - 2):start]
        after = text[end:]
        # part of a name: a letter (or a letter then - or /) just before, "word2vec", "GPT-2", "ViT-B/32"
        if re.search(r"[A-Za-z_][-/]$", before) or re.search(r"[A-Za-z_]$", before):
            continue
        if re.match(r"\.\d", after):  # a version string, 4.46.3
            continue
        # an equation reference inside parentheses: "(4.3, 4.4)", "(9.1-9.2)", "(PV-DM 6.7)" in lesson 0N
        line_before = text[text.rfind("\n", 0, start) + 1:start]
        if "." in raw and line_before.rfind("(") > line_before.rfind(")") and (
                raw in tags or (lesson is not None and raw.split(".")[0] == lesson)):
            continue
        letters = re.match(r"[A-Za-zµ]+", after)
        if letters and letters.group(0) not in UNIT_LETTERS:
            continue
        value = float(raw.replace(",", "") + (m.group("exp") or ""))
        unit = _precision(raw) * (10.0 ** int(m.group("exp")[1:]) if m.group("exp") else 1.0)
        negative = re.search(r"(?:^|[\s(\[=:,;])[-−]$", text[max(0, start - 2):start]) is not None
        suffix_m = SUFFIX.match(after)
        suffix = suffix_m.group("suffix") if suffix_m else ""
        if not suffix:  # a range's first member takes the second's suffix: 97-98%, 60-80%
            rng = re.match(r"\s*[-–]\s*\d[\d,.]*\s?(%|×|x\b|percentage points\b|points\b|thousand\b|million\b|billion\b)", after)
            suffix = rng.group(1) if rng else ""
        percent = suffix in PERCENT_WORDS or suffix == "percent"
        if suffix in MULTIPLIERS:
            value *= MULTIPLIERS[suffix]
            unit *= MULTIPLIERS[suffix]
        unit_m = UNIT_AFTER.match(after)
        is_time = unit_m is not None
        bare_small = (m.group("exp") is None and "." not in raw and "," not in raw and value <= 10
                      and not suffix and not is_time)
        year = re.fullmatch(r"(19|20)\d\d", raw) is not None and not suffix
        if bare_small or year:
            continue
        if negative:
            value = -value
        written = ("-" if negative else "") + raw + (suffix_m.group(0) if suffix_m else unit_m.group(0) if unit_m else "")
        numbers.append(Number(re.sub(r"\s+", " ", written).strip(), value, unit, percent, start, is_time))
    return numbers


OUTPUT_NUMBER = re.compile(r"[-−]?(?:\d[\d_,]*(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?(?:\s?(?:%|[kKM]\b|million\b|billion\b))?")


def output_values(texts: list[str]) -> list[float]:
    """Every number in outputs and code, read generously (1,000 -> 1000 and 1 and 0; 27% -> 27 and 0.27)."""
    values = set()
    for text in texts:
        for m in OUTPUT_NUMBER.finditer(text):
            tok = m.group(0).replace("−", "-").strip()
            scale = 1.0
            pct = tok.endswith("%")
            tok = tok.rstrip("%").strip()
            for word, mult in MULTIPLIERS.items():
                if tok.endswith(word):
                    scale, tok = mult, tok[: -len(word)].strip()
                    break
            sign = -1.0 if tok.startswith("-") else 1.0
            body = tok.lstrip("-")
            candidates = [body.replace(",", "").replace("_", "")] + re.split(r"[,_]", body)
            for c in candidates:
                try:
                    v = sign * float(c) * scale
                except ValueError:
                    continue
                if math.isfinite(v):
                    values.add(v)
                    if pct:
                        values.add(v / 100)
    return sorted(values)


def _cell_text(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


TIME_WORD = re.compile(r"(?<![A-Za-z])(?:ms|s|sec|secs|seconds?|min|mins|minutes?|hours?|h|time|times|timing|took"
                       r"|elapsed|q/s|it/s|/s|per second|µs|us)(?![A-Za-z])", re.I)


def notebook_evidence(cells) -> tuple[list[str], list[str]]:
    """The texts of the code and outputs, and those of them that speak of time (lines of
    printed text, whole tables, code lines) for timing claims."""
    texts, timed = [], []
    for cell in cells:
        if cell["cell_type"] == "markdown":  # commands shown in the text: `python -m ... --epochs 15`
            md = _cell_text(cell)
            texts += [m.group(0) for m in FENCE.finditer(md) if not PROSE_DIRECTIVE.match(m.group("info").strip())]
            texts += [m.group(0) for m in INLINE_CODE.finditer(md) if re.match(r"`+\s*python\b|.* --\w", m.group(0))]
            continue
        if cell["cell_type"] != "code":
            continue
        code = _cell_text(cell)
        texts.append(code)
        timed += [line for line in code.splitlines() if TIME_WORD.search(line)]
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                text = "".join(out.get("text", ""))
                texts.append(text)
                timed += [line for line in text.splitlines() if TIME_WORD.search(line)]
            for mime in OUTPUT_MIMES:
                data = out.get("data", {}).get(mime)
                if data is not None:
                    data = "".join(data) if isinstance(data, list) else data
                    texts.append(data)
                    if TIME_WORD.search(re.sub(r"<[^>]*>", " ", data)):  # a table with a time column
                        timed.append(data)
    return texts, timed


# ----------------------------------------------------------------------------------- check

@dataclass(frozen=True)
class Failure:
    notebook: str
    cell: int
    number: str
    snippet: str

    def __str__(self):
        return f"{self.notebook} cell {self.cell}: {self.number!r} not found in the outputs or code: \"{self.snippet}\""


def _snippet(source: str, start: int, width: int = 70) -> str:
    a = max(0, start - width)
    b = min(len(source), start + width)
    s = re.sub(r"\s+", " ", source[a:b]).strip()
    return ("..." if a else "") + s + ("..." if b < len(source) else "")


def load_allowlist(path: Path = ALLOWLIST) -> list[dict]:
    if not path.exists():
        return []
    entries = tomllib.loads(path.read_text()).get("allow", [])
    for e in entries:
        for key in ("notebook", "number", "text", "reason"):
            if not str(e.get(key, "")).strip():
                raise ValueError(f"{path.name}: every entry needs notebook, number, text and reason: {e}")
    return entries


def _allowed(entry: dict, notebook: str, number: Number, sentence: str) -> bool:
    norm = lambda s: re.sub(r"\s+", " ", s).strip()
    return (entry["notebook"] in ("*", notebook, Path(notebook).stem)
            and entry["number"] == number.text
            and norm(entry["text"]) in norm(sentence))


def check_notebook(nb: dict, name: str, allowlist: list[dict] = (), used: set | None = None) -> list[Failure]:
    """The markdown numbers of a notebook that its outputs and code do not show."""
    cells = nb["cells"]
    texts, timed = notebook_evidence(cells)
    values = output_values(texts)
    magnitudes = sorted({abs(v) for v in values})
    negatives = sorted(v for v in values if v < 0)
    time_values = sorted({abs(v) for v in output_values(timed)})
    lesson = re.match(r"(\d+)_", Path(name).name)
    lesson = str(int(lesson.group(1))) if lesson else None
    tags = {t for c in cells if c["cell_type"] == "markdown" for t in re.findall(r"\\tag\{([^}]*)\}", _cell_text(c))}

    def found(n: Number) -> bool:
        pool = time_values if n.is_time else negatives if n.value < 0 else magnitudes
        targets = [n.value] + ([n.value / 100] if n.percent else [])
        for t in targets:
            tol = n.unit / 2 * (1 + 1e-9) + 1e-12
            if n.percent and t != n.value:
                tol /= 100
            i = bisect.bisect_left(pool, t - tol)
            if i < len(pool) and pool[i] <= t + tol:
                return True
        return False

    failures = []
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        source = _cell_text(cell)
        for n in prose_numbers(source, tags, first_cell=(i == 0), lesson=lesson):
            if found(n):
                continue
            snippet = _snippet(source, n.start)
            hits = [k for k, e in enumerate(allowlist) if _allowed(e, name, n, _snippet(source, n.start, 200))]
            if hits:
                if used is not None:
                    used.update(hits)
                continue
            failures.append(Failure(name, i, n.text, snippet))
    return failures


HOW_TO_FIX = (
    "Each of these numbers is quoted in a markdown cell but no output or code of the notebook shows it "
    "(at the precision quoted). Fix: quote the number the notebook prints (print it if it is only computed, "
    "round as the output does, phrase timings as 'on this run, ...'), or rephrase without the number. "
    "A number from a paper (a result or its hyper-parameters) goes in tests/prose_allowlist.toml with the "
    "sentence's phrase and a reason."
)


def report(paths=None, used: set | None = None) -> dict[str, list[Failure]]:
    allowlist = load_allowlist()
    out = {}
    for path in paths or course.notebooks():
        out[path.name] = check_notebook(json.loads(path.read_text()), path.name, allowlist, used)
    return out


# ----------------------------------------------------------------------------------- tests

LESSONS = course.notebooks()


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_numbers_in_prose_come_from_the_notebook(path):
    failures = check_notebook(json.loads(path.read_text()), path.name, load_allowlist())
    if failures:
        pytest.fail(f"notebooks/{path.name}: {len(failures)} number(s) in the prose are not in its outputs or code\n"
                    + "\n".join(f"  {f}" for f in failures) + "\n" + HOW_TO_FIX, pytrace=False)


def test_allowlist_is_reviewed_and_used():
    """Every allow-list entry has a reason and still matches a sentence of its lesson."""
    allowlist = load_allowlist()
    used = set()
    for path in LESSONS:
        check_notebook(json.loads(path.read_text()), path.name, allowlist, used)
    stale = [f"{e['notebook']}: {e['number']} ({e['text']!r})" for k, e in enumerate(allowlist) if k not in used]
    assert not stale, f"remove allow-list entries that no longer match a sentence (or the number is now printed): {stale}"


# -- the checker itself, on tiny synthetic notebooks


def _nb(markdown: str | list[str], code: str = "", output: str = "") -> dict:
    md = [markdown] if isinstance(markdown, str) else markdown
    cells = [{"cell_type": "markdown", "metadata": {}, "source": m} for m in md]
    cells.append({"cell_type": "code", "metadata": {}, "source": code, "execution_count": 1,
                  "outputs": [{"output_type": "stream", "name": "stdout", "text": output}]})
    return {"cells": cells}


def _failing(markdown, code="", output="", allowlist=()):
    return [f.number for f in check_notebook(_nb(markdown, code, output), "02_x.ipynb", list(allowlist))]


def test_checker_fails_on_a_number_not_in_the_outputs():
    out = "accuracy 0.2734\nrecall 0.943\n"
    assert _failing("Accuracy is 0.27 and recall 0.94.", output=out) == []
    assert _failing("Accuracy is 0.28 and recall 0.94.", output=out) == ["0.28"]  # a deliberately edited number
    assert _failing("Accuracy is 0.273 here.", output="accuracy 0.27\n") == ["0.273"]  # more precise than shown
    assert _failing("It took 24 s.", output="took 31.2 s\n") == ["24 s"]
    assert _failing("about 4 ms per query", output="3.1 ms\n") == ["4 ms"]  # small, but a timing
    assert _failing("about 4 ms per query", output="3.9 ms\n") == []
    assert _failing("It took 24 s.", output="n = 24\nfit: 3.0 s\n") == ["24 s"]  # a timing needs a printed time


def test_checker_rounds_at_the_prose_precision():
    assert _failing("27% of users; 27.3% exactly", output="0.2734\n") == []
    assert _failing("27% of users", output="27.3\n") == []
    assert _failing("6.2M tokens, 6,213,456 exactly", output="6213456\n") == []
    assert _failing("1.36x faster", output="ratio 1.3612\n") == []
    assert _failing("about 400 queries per second", output="399 q/s\n") == []
    assert _failing("about 300 queries per second", output="399 q/s\n") == ["300"]
    assert _failing("one vector per 20 ms", output="frame 25.0 ms\n") == ["20 ms"]  # 20 is not 25
    assert _failing("a drop of -0.12", output="-0.1234\n") == []
    assert _failing("a drop of -0.12", output="0.1234\n") == ["-0.12"]
    assert _failing("97-98% of the members", output="0.971 0.982\n") == []
    assert _failing("97-98% of the members", output="0.971 0.95\n") == ["98%"]
    assert _failing("by 14 points", output="gap 0.14\n") == []
    assert _failing("400,000 vectors", code="n = 400_000") == []


def test_checker_ignores_what_is_not_a_claim():
    md = (
        "## 3. Section title\n\n"
        "In $d = 300$ dimensions, $$x^{37} = 42$$ and `top_k(x, 17)`:\n\n"
        "```python\nmodel.fit(epochs=55)\n```\n\n"
        "See lesson 03, section 4, Figure 12, Table 13, equation (3.2), Question 11 and (10.1).\n"
        "Mikolov et al. (2013) and 1977. Three things, 7 of them, [a link](../book/x.md#term-99) "
        "and https://example.org/page/123. word2vec, GPT-2, ViT-B/32, GloVe 6B, version 4.46.3.\n"
        "1. a numbered item\n\nChance is 1/2 = 0.5.\n"
    )
    assert _failing(md + "$$a \\tag{10.1}$$") == []
    refs = "- Smith, J. (1990). A paper. *Journal* 41(4), 12-34. arXiv:1301.3781.\n"
    assert _failing("Results 0.5.\n\n**References.**\n\n" + refs, output="0.5") == []
    assert _failing("PCA solves (2.2, 2.3); see (2.1-2.4).", code="") == []  # lesson 02's equations

    assert _failing("We train 55 epochs.") == ["55"]
    assert _failing("We train 55 epochs.", code="train(epochs=55)") == []
    assert _failing(["Trained for 55 epochs by `python -m x train --epochs 55`."]) == []
    assert _failing(["Accuracy is 0.93 in prose."], code="print('`0.93`')") == []
    assert _failing(["Frames of $N = 400$ samples ($25$ ms), accuracy `0.93`."]) == ["25 ms", "0.93"]  # quoted in math/code


def test_checker_skips_question_options_and_plan_minutes_but_not_the_answer():
    question = ("**In-class question.** Which is true?\n\n- **A.** Recall is about 0.45.\n"
                "- **B.** It is exact: recall 1.000.\n")
    assert _failing(question, output="recall 1.000\n") == []
    assert _failing(["# 01 · T\n\n**Lecture plan (50 min).**\n\n| min | part |\n|---|---|\n| 12 | intro |\n| 38 | rest |\n",
                     "**Answer.** Recall is 0.45 here."], output="recall 1.000\n") == ["0.45"]


def test_allowlist_entries_need_the_sentence():
    entry = {"notebook": "02_x", "number": "6 billion", "text": "6 billion training tokens", "reason": "GloVe paper"}
    assert _failing("trained on 6 billion training tokens", allowlist=[entry]) == []
    assert _failing("trained on 6 billion documents", allowlist=[entry]) == ["6 billion"]


def main(argv: list[str]) -> int:
    used = set()
    result = report(used=used)
    stale = [e for k, e in enumerate(load_allowlist()) if k not in used]
    lines = [HOW_TO_FIX, "Rerun: PYTHONPATH=tests EMBEDLAB_OFFLINE=1 .venv/bin/python tests/test_prose_numbers.py "
             "/tmp/team/prose_failures.txt", ""]
    for name, failures in result.items():
        lines.append(f"== {name}: {len(failures)} failing number(s)")
        lines += [f"  cell {f.cell}: {f.number!r}: \"{f.snippet}\"" for f in failures]
        lines.append("")
    if stale:
        lines.append("== tests/prose_allowlist.toml: entries that match no sentence any more (remove them)")
        lines += [f"  {e['notebook']}: {e['number']!r} ({e['text']!r})" for e in stale]
    text = "\n".join(lines)
    if len(argv) > 1:
        Path(argv[1]).write_text(text)
    print(text)
    return 1 if any(result.values()) or stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
