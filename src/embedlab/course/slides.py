"""Lecture slides: one reveal.js deck per lesson, built from the lesson notebooks, viewable offline.

Each cell's ``slideshow.slide_type`` decides where it goes (``slide``, ``subslide``,
``fragment``, ``skip``, ``notes``: the lecture conventions of issue #15). Decks are rendered
from the stored outputs, nothing is executed. reveal.js, MathJax, RequireJS and jQuery come
from npm packs fetched at build time (``npm pack``, cached under ``build/npm-packs``) and
unpacked next to the decks, which load them by relative paths: a deck opens from the file
system or from any static server with no network. Build every lesson::

    python -m embedlab.course.slides                # or: make slides
    python -m embedlab.course.slides notebooks/03_word2vec_from_scratch.ipynb --out /tmp/slides

In the browser, ``s`` opens the speaker view (notes, in-class answers, timer), ``f`` full screen,
``Esc`` the slide overview.

A deck whose lesson shows an interactive embedding map (``embedlab.explore``) also loads
plotly.js, copied from the installed plotly package to ``assets/plotly/`` (before RequireJS, so
that plotly.js defines the global ``Plotly`` the map looks for).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from embedlab import course

DEFAULT_OUT = course.REPO / "build" / "slides"
PACK_CACHE = course.REPO / "build" / "npm-packs"
ASSETS_DIR = "assets"

# nbconvert 7's reveal template loads reveal.js 4 (dist/reveal.js and plugin/notes/notes.js
# through RequireJS) and MathJax 2 (it calls MathJax.Hub); jQuery serves its scrolling slides.
PACKAGES = {"reveal.js": "4.6.0", "mathjax": "2.7.9", "requirejs": "2.3.8", "jquery": "3.7.1"}
# Parts of a pack no deck loads: MathJax's unminified copy (26 MB) and the packs' tests.
UNUSED = ("unpacked/", "test/")
MARKER = ".npm-pack"  # in each unpacked folder: which pack it came from, so rebuilds replace only ours

MATHJAX_URL = f"{ASSETS_DIR}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
REQUIRE_JS_URL = f"{ASSETS_DIR}/requirejs/require.js"
JQUERY_URL = f"{ASSETS_DIR}/jquery/dist/jquery.min.js"
REVEAL_URL_PREFIX = f"{ASSETS_DIR}/reveal.js"
PLOTLY_URL = f"{ASSETS_DIR}/plotly/plotly.min.js"
EXPLORER_CLASS = "embedlab-explorer"  # embedlab.explore.CSS_CLASS: a deck with one needs plotly.js

# nbconvert's reveal template with three changes: no mermaid script (it would always come from a
# CDN; the course has no mermaid diagrams); no automatic line breaks in equations (MathJax
# measures slides that are not shown yet as zero wide and breaks after every symbol); an empty
# icon, so browsers do not ask the server for favicon.ico. A deck with an embedding map loads
# plotly.js first of all scripts (with RequireJS loaded it would define an AMD module instead).
TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_jquery -%}
{%- if resources.embedlab_plotly_url %}<script src="{{ resources.embedlab_plotly_url }}" data-embedlab-plotly="deck"></script>
{% endif -%}
<script src="{{ resources.jquery_url }}"></script>
{%- endblock html_head_js_jquery -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}
<script type="text/x-mathjax-config">MathJax.Hub.Config({CommonHTML: {linebreaks: {automatic: false}}});</script>
<link rel="icon" href="data:,">
{%- endblock html_head_css -%}
"""


def _exporter():
    from jinja2 import DictLoader
    from nbconvert import SlidesExporter
    from nbconvert.preprocessors import Preprocessor

    class LecturePreprocessor(Preprocessor):
        """Answers open in the speaker notes; no stderr (progress bars) on a slide."""

        def preprocess_cell(self, cell, resources, index):
            if cell.metadata.get("slideshow", {}).get("slide_type") == "notes":
                cell.source = cell.source.replace("<details>", "<details open>")
            if cell.cell_type == "code":
                cell.outputs = [o for o in cell.outputs if o.get("name") != "stderr"]
            return cell, resources

    exporter = SlidesExporter(
        extra_loaders=[DictLoader({"offline_slides.html.j2": TEMPLATE})],
        template_file="offline_slides.html.j2",
        reveal_url_prefix=REVEAL_URL_PREFIX,
        reveal_theme="white",  # its fonts ship with reveal.js; nbconvert's default, "simple", fetches web fonts
        reveal_scroll=True,  # long cells scroll instead of being cut off at the slide's edge
        reveal_number="c/t",
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        mathjax_url=MATHJAX_URL,
        require_js_url=REQUIRE_JS_URL,
        jquery_url=JQUERY_URL,
    )
    exporter.register_preprocessor(LecturePreprocessor, enabled=True)
    return exporter


def render_deck(notebook: Path) -> str:
    """The reveal.js HTML of one notebook; its assets are expected under ``assets/`` beside it."""
    notebook = Path(notebook)
    if not notebook.is_file():
        raise FileNotFoundError(f"no such notebook: {notebook} (expected a lesson such as "
                                f"{course.LESSONS_DIR.relative_to(course.REPO)}/01_vectors_and_similarity.ipynb)")
    resources = {"embedlab_plotly_url": PLOTLY_URL if needs_plotly(notebook) else ""}
    html, _ = _exporter().from_filename(str(notebook), resources=resources)
    return html


def needs_plotly(notebook: Path) -> bool:
    """Does a stored output of this notebook hold an embedding map (embedlab.explore)?"""
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    return any(EXPLORER_CLASS in "".join(output.get("data", {}).get("text/html", ""))
               for cell in nb.cells if cell.cell_type == "code" for output in cell.get("outputs", []))


def _pack(name: str, version: str, cache: Path) -> Path:
    """The npm pack of name@version, fetched with `npm pack` unless it is in the cache already."""
    tarball = cache / f"{name}-{version}.tgz"
    if tarball.exists():
        return tarball
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm not found: the slides need it once to fetch reveal.js and MathJax "
                           "(Debian: apt-get install npm)")
    cache.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([npm, "pack", f"{name}@{version}", "--pack-destination", str(cache), "--silent"],
                          capture_output=True, text=True)
    if done.returncode != 0 or not tarball.exists():
        raise RuntimeError(f"`npm pack {name}@{version}` failed:\n{done.stderr.strip()}")
    return tarball


def _unpack(tarball: Path, target: Path, stamp: str) -> None:
    """Unpack an npm tarball's package/ folder into target, replacing an older copy of ours."""
    if (target / MARKER).is_file() and (target / MARKER).read_text() == stamp:
        return
    if target.exists() and not (target / MARKER).is_file():
        raise FileExistsError(f"{target} exists and was not unpacked by this tool: move it away first")
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-"))
    staging.chmod(0o755)  # mkdtemp makes it private; a web server may serve the decks as another user
    try:
        with tarfile.open(tarball) as tar:
            members = []
            for member in tar.getmembers():
                path = member.name.removeprefix("package/")
                if path != member.name and not path.startswith(UNUSED):
                    member.name = path
                    members.append(member)
            tar.extractall(staging, members=members, filter="data")
        (staging / MARKER).write_text(stamp)
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def install_assets(out: Path, cache: Path = PACK_CACHE) -> Path:
    """Unpack the pinned packs into out/assets/<package>/ and return that folder."""
    assets = Path(out) / ASSETS_DIR
    assets.mkdir(parents=True, exist_ok=True)
    for name, version in PACKAGES.items():
        _unpack(_pack(name, version, cache), assets / name, f"{name}@{version}")
    from embedlab.explore import plotly_js_path

    (assets / "plotly").mkdir(exist_ok=True)
    shutil.copyfile(plotly_js_path(), assets / "plotly" / "plotly.min.js")  # from the pip package, no npm
    return assets


def _index(decks: Sequence[Path]) -> str:
    links = "\n".join(f'<li><a href="{d.name}">{d.name.removesuffix(".slides.html")}</a></li>' for d in decks)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Lecture slides</title></head>\n'
            f"<body><h1>Lecture slides</h1>\n<p>Press <kbd>s</kbd> in a deck for the speaker view.</p>\n"
            f"<ul>\n{links}\n</ul></body></html>\n")


def build(notebooks: Sequence[Path] | None = None, out: Path = DEFAULT_OUT, cache: Path = PACK_CACHE) -> list[Path]:
    """Write out/NN_topic.slides.html for each notebook (default: every lesson) and the offline assets."""
    notebooks = [Path(n) for n in (course.notebooks() if notebooks is None else notebooks)]
    if not notebooks:
        raise FileNotFoundError(f"no lesson notebooks found in {course.LESSONS_DIR}")
    missing = [str(n) for n in notebooks if not n.is_file()]
    if missing:
        raise FileNotFoundError(f"no such notebook: {', '.join(missing)}")
    out = Path(out)
    install_assets(out, cache)
    decks = []
    for notebook in notebooks:
        deck = out / f"{notebook.stem}.slides.html"
        deck.write_text(render_deck(notebook), encoding="utf-8")
        decks.append(deck)
    index = out / "index.html"
    index.write_text(_index(sorted(out.glob("*.slides.html"))), encoding="utf-8")
    return decks


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m embedlab.course.slides", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="lesson notebooks (default: every lesson)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        decks = build(args.notebooks or None, args.out)
    except (FileNotFoundError, FileExistsError, RuntimeError) as error:
        print(f"slides: {error}", file=sys.stderr)
        return 1
    for deck in decks:
        print(f"{deck}  {_size(deck) / 1e6:.1f} MB")
    print(f"{len(decks)} decks, {sum(map(_size, decks)) / 1e6:.1f} MB, plus {_size(args.out / ASSETS_DIR) / 1e6:.0f} MB "
          f"of reveal.js, MathJax and plotly.js in {args.out / ASSETS_DIR}, in {time.perf_counter() - start:.1f} s")
    print(f"open {args.out / 'index.html'}; in a deck press s for the speaker view")
    return 0


if __name__ == "__main__":
    sys.exit(main())
