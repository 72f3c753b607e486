"""What the browser tests check of an embedding explorer (embedlab.explore) on any page.

check_explorer(browser) finds the page's first explorer, waits until plotly.js has drawn it,
then acts as a reader: moves the mouse onto a point and reads plotly's hover label, types a
label into the search box, clicks a point, and checks each time that the neighbour list names
that point's nearest neighbours from the data the page received (the Python side computed them
with embedlab.similarity.top_k; tests/test_explore.py checks that part).
"""

import json
import time

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

ROOT = "document.querySelector('.embedlab-explorer')"
READY = f"!!{ROOT} && {ROOT}.getAttribute('data-ready') === 'yes'"

# An isolated point of the map (so that the hover and the click cannot land on a neighbour): its
# row in the data and its offset (dx, dy) from the centre of plotly's drag layer, which receives
# the mouse; an offset, not a page position, so that scrolling in between does not matter.
ISOLATED_POINT = f"""
const root = {ROOT};
const plot = root.querySelector('.ee-plot');
const centres = [];
plot.querySelectorAll('.scatterlayer .trace').forEach((trace, t) => {{
  if (t >= plot.data.length - 2) return;   // the two selection traces
  trace.querySelectorAll('path.point').forEach((p, j) => {{
    const r = p.getBoundingClientRect();
    centres.push({{x: r.left + r.width / 2, y: r.top + r.height / 2, row: plot.data[t].customdata[j]}});
  }});
}});
let best = null, bestGap = -1;
const box = plot.querySelector('.nsewdrag').getBoundingClientRect();
for (const a of centres.slice(0, 400)) {{
  if (a.x < box.left + 20 || a.x > box.right - 20 || a.y < box.top + 20 || a.y > box.bottom - 20) continue;
  let gap = Infinity;
  for (const b of centres) if (b !== a) gap = Math.min(gap, Math.hypot(a.x - b.x, a.y - b.y));
  if (gap > bestGap) {{ bestGap = gap; best = a; }}
}}
if (best) {{ best.dx = best.x - (box.left + box.width / 2); best.dy = best.y - (box.top + box.height / 2); }}
return best;
"""


def _data(browser):
    return json.loads(browser.run(f"return {ROOT}.querySelector('script.ee-data').textContent"))


def _neighbour_list(browser):
    return browser.run(f"return Array.from({ROOT}.querySelectorAll('.ee-neighbours li'), li => li.textContent)")


def _label_of(item, data):
    """The label in a neighbour-list entry: "label 0.812" or "label 0.812 (norm 5.1)"."""
    if data["norms"] is not None:
        item = item.rsplit(" (norm", 1)[0]
    return item.rsplit(" ", 1)[0]


def _mouse_to(browser, point):
    """Actions that move the mouse onto the point (Selenium's offsets are from the element's centre)."""
    drag = browser.run(f"return {ROOT}.querySelector('.ee-plot .nsewdrag')")
    return ActionChains(browser.driver).move_to_element_with_offset(drag, round(point["dx"]), round(point["dy"]))


# Where the map is on screen, and whether all of it is in the window.
PLACE = (f"const r = {ROOT}.querySelector('.ee-plot').getBoundingClientRect(); "
         "return [Math.round(r.left), Math.round(r.top), r.top >= 0 && r.bottom <= window.innerHeight];")


def _bring_into_view(browser):
    """Scroll the map into the window if part of it is outside, then wait until it stays still.
    On a reveal.js slide nothing may scroll: reveal.js puts a scrolled slide back within a second,
    so a scroll there would move the map between the hover and the click."""
    if not browser.run(PLACE)[2]:
        browser.run(f"{ROOT}.scrollIntoView({{block: 'center'}})")
    before = None
    for _ in range(20):
        place = browser.run(PLACE)[:2]
        if place == before:
            return
        before = place
        time.sleep(1.2)
    raise AssertionError(f"the map keeps moving on the page (last at {before})")


def check_explorer(browser, search_for=None, timeout=60):
    """Hover, search and click on the page's first explorer; return what was checked."""
    browser.wait_for(READY, timeout)
    _bring_into_view(browser)
    data = _data(browser)
    labels, neighbours = data["labels"], data["neighbours"]

    # hover: plotly's hover label names the point under the mouse
    point = browser.run(ISOLATED_POINT)
    assert point is not None, "no point of the map found on screen"
    label = labels[point["row"]]
    _mouse_to(browser, point).perform()
    hover = browser.wait_for("Array.from(document.querySelectorAll('.hoverlayer .hovertext'), "
                             "e => e.textContent).join(' | ')", 10)
    assert label in hover, f"hovering {label!r} shows {hover!r}"

    # click: the point is selected and its neighbours listed, best first, with cosine scores
    selected = f"{ROOT}.getAttribute('data-selected') === {json.dumps(label)}"
    _mouse_to(browser, point).click().perform()
    browser.wait_for(selected, 10)
    listed = _neighbour_list(browser)
    expected = [labels[j] for j in neighbours[point["row"]]]
    assert [_label_of(item, data) for item in listed] == expected, (listed, expected)
    highlighted = browser.run(f"const d = {ROOT}.querySelector('.ee-plot').data; return d[d.length - 2].customdata")
    assert list(highlighted) == neighbours[point["row"]], "the map highlights the listed neighbours"

    # search: typing a label and Enter selects it
    target = search_for or labels[neighbours[point["row"]][0]]
    box = browser.run(f"return {ROOT}.querySelector('.ee-search')")
    box.clear()
    box.send_keys(target, Keys.ENTER)
    browser.wait_for(f"{ROOT}.getAttribute('data-selected') === {json.dumps(target)}", 10)
    found = _neighbour_list(browser)
    assert len(found) == len(neighbours[0]), found
    return {"hovered": label, "hover_text": hover, "clicked_neighbours": listed, "searched": target,
            "searched_neighbours": found, "searched_labels": [_label_of(item, data) for item in found]}
