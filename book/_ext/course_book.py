"""Three small additions that keep the course book offline and its glossary linkable.

1. sphinx-thebe (always loaded by Jupyter Book 1) writes a script holding thebe's CDN address
   into every page, even with thebe off. The book has no live code, so its assets are dropped.
2. Lessons link glossary terms as `[skip-gram](../book/glossary.md#term-skip-gram)`: a link
   JupyterLab opens as a file and the book resolves. MyST resolves `doc.md#anchor` links only
   against heading anchors, so each glossary term's id is registered as one.
3. Lessons show interactive embedding maps (embedlab.explore) that need plotly.js. The book
   ships the installed plotly package's copy once, as _static/plotly.min.js, and only the pages
   holding a map load it: no output carries the library, nothing comes from a CDN.
"""

import shutil
from pathlib import Path

from docutils import nodes

EXPLORER_CLASS = "embedlab-explorer"  # embedlab.explore.CSS_CLASS
PLOTLY_JS = "plotly.min.js"

THEBE_ASSETS = ("sphinx-thebe.js", "sphinx-thebe.css")


def drop_thebe_assets(app, pagename, templatename, context, doctree):
    def is_thebe(asset):
        return (str(asset.filename).endswith(THEBE_ASSETS)
                or "THEBE_JS_URL" in asset.attributes.get("body", ""))

    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if not is_thebe(asset)]


def register_glossary_terms_as_anchors(app, doctree):
    slugs = app.env.metadata[app.env.docname].setdefault("myst_slugs", {})
    for term in doctree.findall(nodes.term):
        for term_id in term["ids"]:
            slugs[term_id] = (term.line or 0, term_id, term.astext())


def load_plotly_where_needed(app, pagename, templatename, context, doctree):
    if EXPLORER_CLASS in context.get("body", ""):
        app.add_js_file(PLOTLY_JS, priority=100, **{"data-embedlab-plotly": "book"})  # this page only


def copy_plotly(app):
    """Into _static/ before the pages are written, so that their links carry the file's checksum."""
    if app.builder.format == "html":
        from embedlab.explore import plotly_js_path

        static = Path(app.outdir) / "_static"
        static.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(plotly_js_path(), static / PLOTLY_JS)


def setup(app):
    app.connect("html-page-context", drop_thebe_assets)
    # before drop_thebe_assets, which replaces the page's script list with a filtered copy
    app.connect("html-page-context", load_plotly_where_needed, priority=400)
    app.connect("builder-inited", copy_plotly)
    app.connect("doctree-read", register_glossary_terms_as_anchors)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
