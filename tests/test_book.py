"""The book's sources: table of contents, bibliography and glossary (no build needed).

The built HTML is checked in a real browser by tests/browser (`make browser`, after `make book`).
"""

import json
import re
from pathlib import Path

import pytest
from pybtex.database import parse_file

from embedlab import course

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
LESSONS = course.notebooks()
GLOSSARY_LINK = re.compile(r"glossary\.md#(term-[^)\s]+)\)")


def _toc_files():
    return re.findall(r"^\s*(?:-\s*)?(?:file|root):\s*(\S+)", (BOOK / "_toc.yml").read_text(), re.M)


def _markdown(path):
    cells = json.loads(path.read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def _glossary_terms():
    """Terms of the {glossary} directive: unindented lines inside the fence."""
    text = (BOOK / "glossary.md").read_text()
    body = re.search(r"```\{glossary\}\n(.*?)\n```", text, re.S).group(1)
    return [line.strip() for line in body.splitlines() if line.strip() and not line.startswith(" ")]


def _term_id(term):
    # as Sphinx names a glossary term's anchor (sphinx.util.nodes.make_id)
    return "term-" + re.sub(r"[^A-Za-z0-9._]+", "-", term).strip("-")


def test_every_toc_entry_exists():
    files = _toc_files()
    assert "book/intro" in files and len(files) > 20
    missing = [f for f in files if not any((ROOT / f).with_suffix(s).exists() for s in (".md", ".ipynb"))]
    assert not missing, f"book/_toc.yml lists files that do not exist: {missing}"


def test_reference_pages_are_in_the_book():
    files = _toc_files()
    for page in ("notation", "glossary", "bibliography", "status", "troubleshooting"):
        assert f"book/{page}" in files, f"book/{page}.md is not in book/_toc.yml"


def test_glossary_terms_are_unique_and_course_sized():
    terms = _glossary_terms()
    lowered = [t.lower() for t in terms]
    duplicates = sorted({t for t in lowered if lowered.count(t) > 1})
    assert not duplicates, f"glossary terms defined twice: {duplicates}"
    body = re.search(r"```\{glossary\}\n(.*?)\n```", (BOOK / "glossary.md").read_text(), re.S).group(1)
    entries = re.findall(r"(?:^\S.*\n)+(?=^  \S)", body, re.M)  # one or more terms, then the definition
    assert 30 <= len(entries) <= 65, f"{len(entries)} glossary entries"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_glossary_links_name_real_terms(path):
    known = {_term_id(t) for t in _glossary_terms()}
    links = GLOSSARY_LINK.findall(_markdown(path))
    unknown = sorted(set(links) - known)
    assert not unknown, f"{path.name} links glossary terms that do not exist: {unknown}"


def _bibliography():
    return parse_file(str(BOOK / "references.bib"), bib_format="bibtex").entries


def _first_author_surname(reference):
    """'Mikolov, T., Chen, K. (2013)' and 'T. Mikolov, K. Chen (2013)' both give 'Mikolov'."""
    for word in re.split(r"[\s,]+", reference):
        if word[:1].isupper() and not word.endswith(".") and len(word) > 1:
            return word.strip("*")
    raise ValueError(f"no author in {reference!r}")


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_bibliography_has_every_paper_the_lesson_cites(path):
    section = re.search(r"^(?:## References|\*\*References\.?\*\*)\s*\n(.*?)(?=^#|\Z)", _markdown(path), re.S | re.M)
    assert section, f"{path.name} has no References section"
    entries = _bibliography()
    cited = [line for line in section.group(1).splitlines() if re.match(r"\s*[-*] ", line)]
    assert cited, f"{path.name}: no references listed"
    missing = []
    for line in cited:
        year = re.search(r"\((\d{4})[a-z]?\)", line).group(1)
        surname = _first_author_surname(line.lstrip(" -*"))
        # a journal paper online a year or two before its issue notes the earlier year
        if not any(year in (entry.fields.get("year"), *re.findall(r"\d{4}", entry.fields.get("note", "")))
                   and any(surname in str(person) for person in entry.persons.get("author", []))
                   for entry in entries.values()):
            missing.append(f"{surname} {year}")
    assert not missing, f"{path.name} cites papers missing from book/references.bib: {missing}"


def test_bibliography_entries_are_complete():
    for key, entry in _bibliography().items():
        assert entry.persons.get("author"), f"{key}: no author"
        assert entry.fields.get("title") and re.fullmatch(r"\d{4}", entry.fields.get("year", "")), f"{key}: title and year"
        venue = {"journal", "booktitle", "howpublished", "publisher"} & set(entry.fields)
        assert venue, f"{key}: say where it was published"
