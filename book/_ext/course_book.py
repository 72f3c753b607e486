"""Two small fixes that keep the course book offline and its glossary linkable.

1. sphinx-thebe (always loaded by Jupyter Book 1) writes a script holding thebe's CDN address
   into every page, even with thebe off. The book has no live code, so its assets are dropped.
2. Lessons link glossary terms as `[skip-gram](../book/glossary.md#term-skip-gram)`: a link
   JupyterLab opens as a file and the book resolves. MyST resolves `doc.md#anchor` links only
   against heading anchors, so each glossary term's id is registered as one.
"""

from docutils import nodes

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


def setup(app):
    app.connect("html-page-context", drop_thebe_assets)
    app.connect("doctree-read", register_glossary_terms_as_anchors)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
