"""A built lecture deck in headless Chromium with no network: reveal.js runs, MathJax typesets.

Needs `make slides` first (it builds build/slides/); leaves a screenshot of an equation slide in
build/slides/screenshot.png, and of lesson 03's interactive embedding map in build/slides/explorer.png.
"""

from pathlib import Path

import pytest
from explorer_checks import check_explorer
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

ROOT = Path(__file__).resolve().parents[2]
SLIDES = ROOT / "build" / "slides"
DECK = "01_vectors_and_similarity.slides.html"
SCREENSHOT = SLIDES / "screenshot.png"

PRESENT = "document.querySelector('.reveal .slides > section.present')"
PRESENT_INDEX = f"Array.prototype.indexOf.call({PRESENT}.parentNode.children, {PRESENT})"


@pytest.fixture(scope="module")
def deck(serve, chromium):
    if not (SLIDES / DECK).is_file():
        pytest.fail(f"{SLIDES / DECK} is missing: run `make slides` first", pytrace=False)
    chromium.open(serve(SLIDES) + DECK)
    chromium.wait_for("document.querySelector('.reveal.ready')", timeout=60)   # Reveal.initialize() finished
    return chromium


def _next_slide(browser):
    before = browser.run(f"return {PRESENT_INDEX}")
    ActionChains(browser.driver).send_keys(Keys.ARROW_RIGHT).perform()
    browser.wait_for(f"{PRESENT_INDEX} === {before + 1}", timeout=10)


def test_reveal_initialises_and_the_slides_are_navigable(deck):
    slides = deck.run("return document.querySelectorAll('.reveal .slides > section').length")
    assert slides >= 10, f"only {slides} top-level slides: the lesson has ten sections and questions"
    assert deck.run(f"return {PRESENT_INDEX}") == 0, "the deck opens on the title slide"
    _next_slide(deck)
    assert deck.run(f"return {PRESENT}.textContent").find("What is an embedding?") >= 0
    assert deck.run("return window.location.hash") == "#/1", "reveal.js keeps the slide in the address"


def test_equations_are_typeset_offline_and_nothing_remote_is_requested(deck):
    while "Three ways to compare two vectors" not in deck.run(f"return {PRESENT}.textContent"):
        _next_slide(deck)                      # section 2 holds the display equations (1.1)-(1.3)
    typeset = deck.wait_for(
        f"window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0 && "
        f"{PRESENT}.querySelectorAll('.MathJax_CHTML, .MathJax_Display').length", timeout=60)
    assert typeset >= 3, "the three equations of section 2 should be typeset by MathJax"
    assert deck.run("return document.querySelectorAll('.MathJax_Error, .mjx-merror').length") == 0
    SCREENSHOT.unlink(missing_ok=True)
    assert deck.screenshot(SCREENSHOT).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert deck.non_local_requests() == [], "the deck must not reach the network"
    assert deck.failed_requests() == [], "every asset the deck loads is in build/slides"
    assert deck.console_errors() == []


def _open_slide_where(chromium, serve, deck, condition):
    """Find the first slide of the deck for which the JavaScript ``condition`` (on ``slide``) holds
    and open the deck directly at it; return its [h, v] position, or None."""
    chromium.open(serve(SLIDES) + deck)
    chromium.wait_for("document.querySelector('.reveal.ready')", timeout=60)
    where = chromium.run(f"""
        const tops = Array.from(document.querySelectorAll('.reveal .slides > section'));
        for (const [h, top] of tops.entries()) {{
            const stack = Array.from(top.querySelectorAll(':scope > section'));
            for (const [v, slide] of (stack.length ? stack : [top]).entries()) {{
                if ({condition}) return [h, v];
            }}
        }}
        return null;""")
    if where:
        chromium.open(serve(SLIDES) + deck + f"#/{where[0]}/{where[1]}")
        chromium.wait_for("document.querySelector('.reveal.ready')", timeout=60)
    return where


def test_maths_on_a_slide_opened_directly_is_not_broken_into_pieces(serve, chromium):
    """MathJax typesets slides before they are shown; none may be laid out as zero wide."""
    deck = "01_vectors_and_similarity.slides.html"
    if not (SLIDES / deck).is_file():
        pytest.fail(f"{SLIDES / deck} is missing: run `make slides` first", pytrace=False)
    # An in-class question whose four options are formulas; find where it is, then open it directly.
    where = _open_slide_where(chromium, serve, deck, "slide.textContent.includes('In-class question') && "
                              "slide.textContent.includes('Brute-force top-10 cosine search')")
    assert where, "lesson 01's in-class question on search time is missing from its deck"
    current = "document.querySelector('.reveal .slides section.present:not(.stack)')"
    assert "In-class question" in chromium.run(f"return {current}.textContent")
    chromium.wait_for(f"window.MathJax && MathJax.Hub.queue.pending === 0 && "
                      f"{current}.querySelectorAll('li .MathJax_CHTML').length === 4", timeout=60)
    heights = chromium.run(f"return Array.from({current}.querySelectorAll('li'), li => li.offsetHeight)")
    line = chromium.run(f"return parseFloat(getComputedStyle({current}.querySelector('li')).lineHeight)")
    assert max(heights) < 2 * line, f"an option of one formula spans several lines: heights {heights}, line {line}"

def test_embedding_explorer_works_on_its_slide_offline(serve, chromium):
    """Lesson 03's deck: plotly.js from the deck's assets; hover, click and search on the map's slide."""
    deck = "03_word2vec_from_scratch.slides.html"
    if not (SLIDES / deck).is_file():
        pytest.fail(f"{SLIDES / deck} is missing: run `make slides` first", pytrace=False)
    where = _open_slide_where(chromium, serve, deck, "slide.querySelector('.embedlab-explorer')")
    assert where, f"{deck} has no embedding map"
    checked = check_explorer(chromium, search_for="whale")
    assert "ahab" in checked["searched_labels"], checked["searched_labels"]   # Moby Dick's whale
    assert chromium.console_errors() == []
    assert chromium.non_local_requests() == [] and chromium.failed_requests() == []
    assert [u for u in chromium.requests() if u.endswith("assets/plotly/plotly.min.js")]
    chromium.screenshot(SLIDES / "explorer.png")
