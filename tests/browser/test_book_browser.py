"""The built book (book/_build/html, from `make book`) as a reader sees it, offline.

Headless Chromium opens every page over localhost and checks that equations are typeset,
every image loads and has alt text, search works, nothing logs an error and nothing is
fetched from another host. A screenshot of a lesson goes to book/_build/screenshot.png.
"""

import re
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
from explorer_checks import check_explorer

from embedlab import course

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "book" / "_build" / "html"
SCREENSHOT = ROOT / "book" / "_build" / "screenshot.png"
REPOSITORY = "https://github.com/embedlab-course/embedding-models"
LESSONS = [p.stem for p in course.notebooks()]
EXERCISES = [p.stem for p in course.notebooks(course.EXERCISES_DIR)]
LESSON_PAGES = [f"notebooks/{name}.html" for name in LESSONS]
PAGES = LESSON_PAGES + [f"notebooks/exercises/{name}.html" for name in EXERCISES] + [
    f"book/{name}.html" for name in ("intro", "notation", "glossary", "bibliography", "troubleshooting", "status")]
# Attributes through which a page loads something (links to other sites are fine; loads are not).
LOADING_ATTRIBUTES = {("script", "src"), ("img", "src"), ("iframe", "src"), ("source", "src"),
                      ("audio", "src"), ("video", "src"), ("embed", "src"), ("object", "data")}
REMOTE = re.compile(r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}""", re.I)
EVERY_IMAGE_SETTLED = "Array.from(document.images).every(img => img.complete)"
# Lessons with an interactive embedding map (embedlab.explore), and a label to search on each.
EXPLORER_PAGES = {"02_dimensionality_reduction": "chihuahua", "03_word2vec_from_scratch": "whale",
                  "07_bert_pooling": None, "08_clip": None}
EXPLORER_SCREENSHOT = ROOT / "book" / "_build" / "explorer.png"


@pytest.fixture(scope="module")
def built():
    if not (HTML / "index.html").exists():
        pytest.fail(f"no built book in {HTML.relative_to(ROOT)}: run `make book` first", pytrace=False)
    return HTML


@pytest.fixture(scope="module")
def book(built, serve):
    return serve(built)


def test_every_notebook_has_a_page(built):
    missing = [page for page in PAGES if not (HTML / page).exists()]
    assert not missing, f"pages missing from the built book (is book/_toc.yml complete?): {missing}"


class _RemoteLoads(HTMLParser):
    """Collects every remote address a page would load: src attributes, stylesheets and
    icons, and addresses written inside inline scripts."""

    def __init__(self):
        super().__init__()
        self.found, self._in_script = [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._in_script = tag == "script"
        for element, attribute in LOADING_ATTRIBUTES:
            if tag == element and REMOTE.match(attrs.get(attribute) or ""):
                self.found.append(attrs[attribute])
        if tag == "link" and attrs.get("rel") != "canonical" and REMOTE.match(attrs.get("href") or ""):
            self.found.append(attrs["href"])

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.found += REMOTE.findall(data)


def test_no_page_or_stylesheet_loads_anything_from_another_host(built):
    pages = sorted(HTML.rglob("*.html"))
    assert len(pages) >= len(PAGES)
    remote = {}
    for page in pages:
        parser = _RemoteLoads()
        parser.feed(page.read_text(encoding="utf-8"))
        if parser.found:
            remote[str(page.relative_to(HTML))] = parser.found
    for stylesheet in HTML.rglob("*.css"):
        imports = re.findall(r"""(?:url\(|@import\s+)['"]?((?:https?:)?//[^'")\s]+)""", stylesheet.read_text(encoding="utf-8"))
        if imports:
            remote[str(stylesheet.relative_to(HTML))] = imports
    assert not remote, f"the book must work offline; these load from other hosts: {remote}"


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_cleanly_with_images_and_alt_text(book, chromium, page):
    chromium.open(book + page)
    chromium.wait_for(EVERY_IMAGE_SETTLED)
    images = chromium.run(
        "return Array.from(document.images).map(img => ({src: img.currentSrc, alt: img.alt,"
        " width: img.naturalWidth, visible: img.getClientRects().length > 0}))")
    broken = [img["src"] for img in images if img["width"] == 0]
    assert not broken, f"{page}: images that did not load: {broken}"
    # Sphinx falls back to the file name when a figure has no alt text
    no_alt = [img["src"] for img in images
              if not img["alt"].strip() or re.search(r"\.(png|jpe?g|svg|gif)$", img["alt"])]
    assert not no_alt, f"{page}: images without alt text (set mystnb.image.alt in the cell): {no_alt}"
    assert chromium.console_errors() == [], f"{page}: console errors"
    assert chromium.failed_requests() == [], f"{page}: failed requests"
    assert chromium.non_local_requests() == [], f"{page}: requests to other hosts"


def test_lessons_show_their_figures(built):
    pages_without_figures = [page for page in LESSON_PAGES
                             if "/_images/" not in (HTML / page).read_text(encoding="utf-8").replace("../_images", "/_images")]
    assert not pages_without_figures, f"lessons whose figures are missing from the book: {pages_without_figures}"


def test_equations_are_typeset_by_mathjax(book, chromium):
    page = "notebooks/01_vectors_and_similarity.html"
    chromium.open(book + page)
    # every math element (inline and display) ends up holding MathJax output
    chromium.wait_for("document.querySelectorAll('.math').length > 0 && "
                      "Array.from(document.querySelectorAll('.math')).every(m => m.querySelector('mjx-container'))")
    typeset = chromium.run("return document.querySelectorAll('mjx-container').length")
    assert typeset >= 4, f"{page}: only {typeset} equations typeset"
    errors = chromium.run("return document.querySelectorAll('mjx-merror').length")
    assert errors == 0, f"{page}: MathJax could not parse {errors} formulas"
    assert chromium.console_errors() == []
    assert chromium.non_local_requests() == []
    # the picture for a person: the first displayed equation and what follows it
    chromium.run("document.querySelector('div.math').scrollIntoView({block: 'start'}); window.scrollBy(0, -120)")
    chromium.screenshot(SCREENSHOT)
    assert SCREENSHOT.stat().st_size > 10_000


def test_search_finds_skip_gram(book, chromium):
    chromium.open(book + "search.html?q=skip-gram")
    chromium.wait_for("document.querySelectorAll('#search-results ul.search li').length > 0", timeout=60)
    results = chromium.run("return Array.from(document.querySelectorAll('#search-results ul.search li a'))"
                           ".map(a => a.getAttribute('href'))")
    assert any("03_word2vec_from_scratch" in href for href in results), results
    assert chromium.console_errors() == []


def test_lesson_pages_offer_download_and_launch_links(book):
    for page in LESSON_PAGES:
        html = (HTML / page).read_text(encoding="utf-8")
        notebook = f"notebooks/{Path(page).stem}.ipynb"
        assert f"_sources/{notebook}" in html, f"{page}: no .ipynb download link"
        with urllib.request.urlopen(book + f"_sources/{notebook}") as download:
            assert download.status == 200 and b'"cells"' in download.read(), f"{page}: download is not the notebook"
        assert f"mybinder.org/v2/gh/{REPOSITORY.split('github.com/')[1]}/main?urlpath=lab/tree/{notebook}" in html
        assert f"colab.research.google.com/github/{REPOSITORY.split('github.com/')[1]}/blob/main/{notebook}" in html
        assert f"{REPOSITORY}/edit/main/{notebook}" in html, f"{page}: no edit link"


def test_exercise_solutions_are_collapsed(book, chromium):
    page = f"notebooks/exercises/{EXERCISES[0]}.html"
    chromium.open(book + page)
    solutions = chromium.run(
        "return Array.from(document.querySelectorAll('.tag_hide-input details'))"
        ".map(d => ({open: d.open, text: d.textContent}))")
    assert solutions, f"{page}: no collapsed solution cells"
    assert all(not s["open"] for s in solutions), "solutions start collapsed"
    assert all("BEGIN SOLUTION" in s["text"] for s in solutions), "the collapsed cells are the solutions"
    assert all("Show the solution" in s["text"] for s in solutions), "the toggle says what it hides"
    # a click on the summary shows the solution
    chromium.run("document.querySelector('.tag_hide-input details summary').click()")
    assert chromium.run("return document.querySelector('.tag_hide-input details').open") is True


@pytest.mark.parametrize("lesson", EXPLORER_PAGES)
def test_embedding_explorer_is_interactive_offline(book, chromium, lesson):
    chromium.open(book + f"notebooks/{lesson}.html")
    checked = check_explorer(chromium, search_for=EXPLORER_PAGES[lesson])
    print(f"\n{lesson}: hovered {checked['hovered']!r}, searched {checked['searched']!r}: "
          f"{checked['searched_neighbours'][:3]}")
    assert chromium.console_errors() == [], f"{lesson}: console errors"
    assert chromium.failed_requests() == [], f"{lesson}: failed requests"
    assert chromium.non_local_requests() == [], f"{lesson}: requests to other hosts"
    plotly = [url for url in chromium.requests() if "plotly" in url]
    assert len(plotly) == 1 and plotly[0].split("?")[0].endswith("_static/plotly.min.js"), plotly
    if lesson == "02_dimensionality_reduction":
        chromium.screenshot(EXPLORER_SCREENSHOT)


def test_plotly_js_is_shipped_once_and_loaded_only_where_needed(built):
    assert (HTML / "_static" / "plotly.min.js").stat().st_size > 3_000_000
    with_map = {page.stem for page in HTML.rglob("*.html") if "embedlab-explorer" in page.read_text(encoding="utf-8")}
    assert with_map == set(EXPLORER_PAGES)
    loading = {page.stem for page in HTML.rglob("*.html") if "_static/plotly.min.js" in page.read_text(encoding="utf-8")}
    assert loading == with_map
    biggest = max(HTML.rglob("*.html"), key=lambda page: page.stat().st_size)
    assert biggest.stat().st_size < 3_000_000, f"{biggest}: {biggest.stat().st_size:,} bytes (plotly.js inlined?)"
