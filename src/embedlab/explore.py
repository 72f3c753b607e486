"""An interactive, offline map of a set of embeddings: ``embedlab.explore(vectors, labels)``.

The map's coordinates come from :mod:`embedlab.reduce` (PCA, t-SNE or UMAP, in 2-D or 3-D),
but the nearest neighbours it shows are computed on the original vectors with
:func:`embedlab.similarity.top_k` (cosine): a 2-D map is a shadow of the space, the neighbour
list is the truth. Hover a point to see its label; type a label in the search box; click a
point (or find it) to highlight its nearest neighbours with their cosine scores; the legend
colours points by category; when the vectors are not all of unit length, their norms are
shown on hover, because cosine ignores them.

The result is an :class:`Explorer`, displayed as HTML by Jupyter: a small script and the data
(labels, coordinates, neighbour lists), drawn by plotly.js. plotly.js is never inlined and never
fetched from the internet; the page supplies it once:

* the course book ships it as one static file, loaded by the pages that hold an explorer
  (book/_ext/course_book.py);
* the lecture decks ship it among their assets (:mod:`embedlab.course.slides`);
* the course's JupyterLab (``make lab``) serves plotly's own copy at ``static/plotly.min.js``
  (jupyter/jupyter_server_config.py).

Anywhere else (another Jupyter, a page saved alone) pass ``plotly_js="inline"`` to embed the
library in the output itself (about 5 MB).

Large sets stay responsive: above ``max_points`` (default 2,000) a sample is shown (the first
rows, which for GloVe are the most frequent words, or a seeded random sample), always with
the rows named in ``keep``; the output says so, and neighbours and search are then among the
points shown.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from embedlab import similarity

__all__ = ["explore", "Explorer", "METHODS", "plotly_js_path"]

METHODS = ("pca", "tsne", "umap")
METHOD_NAMES = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}
SAMPLES = ("first", "random")
OTHER = "other"
OTHER_COLOUR = "#BBBBBB"
NORM_TOLERANCE = 1e-3  # norms within this of 1 count as unit length
CSS_CLASS = "embedlab-explorer"  # the book and the slides look for it to load plotly.js


def plotly_js_path() -> Path:
    """The plotly.js file of the installed plotly package (served or copied, never fetched)."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise FileNotFoundError(f"plotly.js not found at {path}: reinstall plotly (pip install -e .)")
    return path


@dataclass(frozen=True)
class Explorer:
    """What :func:`explore` shows: Jupyter displays it as an interactive map.

    ``rows``: the rows of the original vectors on the map (all of them unless sampled);
    ``labels``, ``categories``, ``norms``: per point shown; ``maps``: name -> coordinates
    ``(n_shown, dims)``; ``neighbours``/``scores``: ``(n_shown, k)`` indices into the points
    shown and their cosine similarities on the original vectors, best first.
    """

    rows: np.ndarray
    labels: list
    categories: list | None
    norms: np.ndarray
    maps: dict
    neighbours: np.ndarray
    scores: np.ndarray
    n_total: int
    dim: int
    note: str
    title: str = "Embedding explorer"
    plotly_js: str = "page"
    height: int = 520
    _index: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def unit_norm(self) -> bool:
        return bool(np.all(np.abs(self.norms - 1) <= NORM_TOLERANCE))

    def index_of(self, label: str) -> int:
        """Position among the points shown of the first point with this label."""
        if not self._index:
            for i, name in enumerate(self.labels):
                self._index.setdefault(name, i)
        try:
            return self._index[label]
        except KeyError:
            raise KeyError(f"{label!r} is not among the {len(self.labels):,} points shown") from None

    def neighbours_of(self, label: str) -> list[tuple[str, float]]:
        """The (label, cosine) pairs the map highlights when this point is clicked."""
        i = self.index_of(label)
        return [(self.labels[j], float(s)) for j, s in zip(self.neighbours[i], self.scores[i])]

    def payload(self) -> dict:
        """The data the page receives (rounded: 4 significant figures of map, 3 decimals of cosine)."""
        categories = self.categories
        names = _category_order(categories) if categories is not None else []
        return {
            "title": self.title,
            "note": self.note,
            "labels": self.labels,
            "categories": categories,
            "category_names": names,
            "colours": _colours(names),
            "maps": {name: [_round(c, 4) for c in coords.T] for name, coords in self.maps.items()},
            "dims": int(next(iter(self.maps.values())).shape[1]),
            "neighbours": self.neighbours.tolist(),
            "scores": np.round(self.scores.astype(float), 3).tolist(),
            "norms": None if self.unit_norm else np.round(self.norms.astype(float), 3).tolist(),
            "dim": self.dim,
            "height": self.height,
        }

    def __repr__(self) -> str:
        maps = ", ".join(self.maps)
        return f"Explorer({len(self.labels):,} points, maps: {maps}, {self.neighbours.shape[1]} neighbours each)\n{self.note}"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": repr(self), "text/html": self.to_html()}

    def to_html(self) -> str:
        """The HTML fragment (deterministic: the same input gives the same bytes)."""
        data = json.dumps(self.payload(), sort_keys=True, separators=(",", ":"), allow_nan=False)
        data = data.replace("</", "<\\/")  # a label such as "</script>" cannot end the data block
        uid = "embedlab-explorer-" + hashlib.sha256(data.encode()).hexdigest()[:12]
        inline = ""
        if self.plotly_js == "inline":
            inline = f'<script data-embedlab-plotly="inline">{plotly_js_path().read_text(encoding="utf-8")}</script>\n'
        return (
            f'<div class="{CSS_CLASS}" id="{uid}" style="font-family:sans-serif;font-size:14px;max-width:100%">\n'
            f'<div class="ee-title" style="font-weight:bold">{html.escape(self.title)}</div>\n'
            f'<div class="ee-note" style="color:#444">{html.escape(self.note)}</div>\n'
            f'<p class="ee-fallback" style="color:#a00">The interactive map needs JavaScript and plotly.js. '
            f"In JupyterLab, run the cell (outputs of a notebook you have not run or trusted do not run scripts); "
            f"the course's JupyterLab (<code>make lab</code>) and the course book supply plotly.js.</p>\n"
            f'<script type="application/json" class="ee-data">{data}</script>\n'
            f"{inline}<script>{_JS.replace('__ID__', uid)}</script>\n</div>"
        )


def explore(
    vectors,
    labels: Sequence,
    categories: Sequence | Mapping | None = None,
    method: str = "pca",
    dims: int = 2,
    maps: Mapping[str, np.ndarray] | None = None,
    k: int = 10,
    max_points: int = 2000,
    sample: str = "first",
    keep: Sequence[str] = (),
    seed: int = 0,
    title: str = "Embedding explorer",
    plotly_js: str = "page",
    height: int = 520,
) -> Explorer:
    """An interactive map of ``vectors`` (one row per item) named by ``labels``.

    ``categories``: one per row, or a mapping label -> category (labels not in it are
    ``"other"``); colours and legend. ``method``: ``"pca"``, ``"tsne"`` or ``"umap"``
    (:mod:`embedlab.reduce`), or a sequence of them (a menu switches maps); ``dims``: 2 or 3.
    ``maps``: coordinates computed already, name -> array ``(n_rows, 2 or 3)`` (then nothing is
    reduced). ``k``: neighbours per point (cosine on the original vectors, among the points
    shown). ``max_points``: above it a sample is shown, ``sample="first"`` rows or a seeded
    ``"random"`` one, always including the labels in ``keep``. ``plotly_js``: ``"page"`` (the
    book, the slides and the course's JupyterLab supply it) or ``"inline"``.
    """
    X = _check_vectors(vectors)
    n, d = X.shape
    labels = _check_labels(labels, n)
    cats = _check_categories(categories, labels, n)
    methods = _check_options(method, dims, k, max_points, sample, plotly_js, maps)
    if maps is not None:
        maps = _check_maps(maps, n)

    rows, how = _choose_rows(n, labels, max_points, sample, keep, seed)
    shown_labels = [str(labels[r]) for r in rows]
    if isinstance(cats, Mapping):
        shown_cats = [str(cats.get(label, OTHER)) for label in shown_labels]
    else:
        shown_cats = None if cats is None else [str(cats[r]) for r in rows]
    shown = X[rows]
    m = len(rows)
    if k > m - 1:
        raise ValueError(f"k={k} neighbours need at least {k + 1} points on the map, there are {m}")
    norms = np.linalg.norm(shown, axis=1)
    if np.any(norms == 0):
        zero = [shown_labels[i] for i in np.flatnonzero(norms == 0)[:5]]
        raise ValueError(f"vectors of zero length have no cosine similarity: {zero} (drop them first)")

    if maps is None:
        coords = {f"{METHOD_NAMES[name]} {dims}-D": _reduce(shown, name, dims, seed) for name in methods}
    else:
        coords = {str(name): np.asarray(c, dtype=float)[rows] for name, c in maps.items()}
    # One BLAS thread: at a few thousand points, threads cost more than they save (10x slower on a
    # busy 2-core machine); the scores are the same up to rounding.
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        neighbours, scores = similarity.top_k(shown, shown, k=k, exclude=[[i] for i in range(m)])

    note = [how, f"Click a point or search a label: its {k} nearest neighbours by cosine on the original "
                 f"{d}-dimensional vectors" + (" among the points shown" if m < n else "") + " light up."]
    unit = np.all(np.abs(norms - 1) <= NORM_TOLERANCE)
    if not unit:
        note.append(f"The vectors are not unit length (norms {norms.min():.2f} to {norms.max():.2f}, shown on "
                    f"hover): cosine ignores length, a dot product would not.")
    return Explorer(rows=rows, labels=shown_labels, categories=shown_cats, norms=norms, maps=coords,
                    neighbours=neighbours, scores=scores, n_total=n, dim=d, note=" ".join(note), title=title,
                    plotly_js=plotly_js, height=height)


# --- input checks ------------------------------------------------------------------------------

def _check_vectors(vectors) -> np.ndarray:
    try:
        X = np.asarray(vectors)
    except (TypeError, ValueError) as error:
        raise TypeError(f"vectors must be a 2-D array of numbers (n_items, n_dims): {error}") from None
    if X.dtype == object or not (np.issubdtype(X.dtype, np.number) or X.dtype == bool):
        raise TypeError(f"vectors must be numbers, got dtype {X.dtype}")
    if X.ndim != 2:
        raise ValueError(f"vectors must be a 2-D array (n_items, n_dims), got shape {X.shape}")
    if len(X) < 2 or X.shape[1] < 1:
        raise ValueError(f"vectors needs at least 2 rows and 1 column to map, got shape {X.shape}")
    if not np.issubdtype(X.dtype, np.floating):
        X = X.astype(np.float64)
    finite = np.isfinite(X).all(axis=1)
    if not finite.all():
        bad = np.flatnonzero(~finite)
        raise ValueError(f"vectors has NaN or infinite values in {len(bad)} row(s), e.g. rows {bad[:5].tolist()}")
    return X


def _check_labels(labels, n: int) -> list:
    if labels is None or isinstance(labels, str):
        raise TypeError(f"labels must be a sequence of {n} names, one per row of vectors, got {type(labels).__name__}")
    labels = list(labels)  # turned into text only for the rows shown: 400k GloVe words stay cheap
    if len(labels) != n:
        raise ValueError(f"labels has {len(labels)} entries but vectors has {n} rows: they must match one to one")
    return labels


def _check_categories(categories, labels: list, n: int) -> list | None:
    if categories is None:
        return None
    if isinstance(categories, Mapping):
        return categories
    if isinstance(categories, str):
        raise TypeError("categories must be one category per row or a mapping label -> category, got a string")
    categories = list(categories)
    if len(categories) != n:
        raise ValueError(f"categories has {len(categories)} entries but vectors has {n} rows")
    return categories


def _check_options(method, dims, k, max_points, sample, plotly_js, maps) -> list:
    methods = [method] if isinstance(method, str) else list(method)
    if maps is None and (not methods or any(m not in METHODS for m in methods)):
        raise ValueError(f"method must be one of {METHODS} (or a list of them), got {method!r}")
    if dims not in (2, 3):
        raise ValueError(f"dims must be 2 or 3, got {dims!r}")
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if not isinstance(max_points, (int, np.integer)) or max_points < 2:
        raise ValueError(f"max_points must be an integer >= 2, got {max_points!r}")
    if sample not in SAMPLES:
        raise ValueError(f"sample must be one of {SAMPLES}, got {sample!r}")
    if plotly_js not in ("page", "inline"):
        raise ValueError(f"plotly_js must be 'page' or 'inline', got {plotly_js!r}")
    return methods


def _check_maps(maps, n: int) -> dict:
    if not isinstance(maps, Mapping) or not maps:
        raise TypeError("maps must be a non-empty mapping name -> coordinates of shape (n_rows, 2 or 3)")
    out, shapes = {}, set()
    for name, coords in maps.items():
        c = np.asarray(coords, dtype=float)
        if c.ndim != 2 or c.shape[0] != n or c.shape[1] not in (2, 3):
            raise ValueError(f"map {name!r} must have shape ({n}, 2) or ({n}, 3), one row per vector, got {c.shape}")
        if not np.isfinite(c).all():
            raise ValueError(f"map {name!r} has NaN or infinite coordinates")
        out[name] = c
        shapes.add(c.shape[1])
    if len(shapes) > 1:
        raise ValueError("all maps must have the same number of dimensions (all 2-D or all 3-D)")
    return out


def _choose_rows(n, labels, max_points, sample, keep, seed) -> tuple[np.ndarray, str]:
    if isinstance(keep, str):
        keep = [keep]
    position = dict(zip(labels[::-1], range(n - 1, -1, -1))) if len(keep) else {}  # first occurrence wins
    missing = [label for label in keep if label not in position]
    if missing:
        raise ValueError(f"keep names labels that are not in labels: {missing[:5]}")
    if n <= max_points:
        return np.arange(n), f"All {n:,} points."
    kept = np.array(sorted({position[label] for label in keep}), dtype=np.int64)
    if len(kept) > max_points:
        raise ValueError(f"keep names {len(kept)} points, more than max_points={max_points}")
    room = max_points - len(kept)
    free = np.ones(n, dtype=bool)
    free[kept] = False
    rest = np.flatnonzero(free)
    if sample == "first":
        extra, how = rest[:room], f"the first {room:,} other rows"
    else:
        extra = np.sort(np.random.default_rng(seed).choice(rest, size=room, replace=False))
        how = f"a random sample of {room:,} other rows (seed {seed})"
    rows = np.union1d(kept, extra).astype(np.int64)
    named = f"the {len(kept):,} labels asked for plus " if len(kept) else ""
    return rows, f"Showing {len(rows):,} of {n:,} points ({named}{how}) so that the page stays responsive."


def _reduce(X: np.ndarray, method: str, dims: int, seed: int) -> np.ndarray:
    from embedlab import reduce

    if method == "pca":
        return reduce.pca(X, k=dims).transform(X)
    if method == "tsne":
        return reduce.tsne_map(X, perplexity=min(30.0, (len(X) - 1) / 3), seed=seed, n_components=dims)
    return reduce.umap_map(X, n_neighbors=min(15, len(X) - 1), seed=seed, n_components=dims)


# --- display helpers ---------------------------------------------------------------------------

def _round(values: np.ndarray, digits: int) -> list:
    values = np.asarray(values, dtype=float)
    scale = np.max(np.abs(values)) if len(values) else 0.0
    decimals = max(0, digits - 1 - int(np.floor(np.log10(scale)))) if scale > 0 else 0
    return np.round(values, decimals).tolist()


def _category_order(categories: list) -> list:
    names = list(dict.fromkeys(categories))
    return ([OTHER] if OTHER in names else []) + [c for c in names if c != OTHER]  # "other" drawn first, below


def _colours(names: list) -> list:
    from embedlab import OKABE_ITO
    from embedlab.reduce import TEN_COLOURS

    named = [c for c in names if c != OTHER]
    palette = list(OKABE_ITO) if len(named) <= len(OKABE_ITO) else list(TEN_COLOURS)
    colours = [palette[i % len(palette)] for i in range(len(named))]
    return ([OTHER_COLOUR] if OTHER in names else []) + colours


# The page side. Finds plotly.js (already on the page, or served by the course's JupyterLab, or
# inlined), draws one trace per category plus two for the selection, and wires search and click.
_JS = r"""
(function () {
  var ID = "__ID__";
  var cur = document.currentScript;
  var root = cur && cur.closest ? cur.closest(".embedlab-explorer") : null;
  if (!root) { root = document.querySelector("#" + ID + ":not([data-ready])"); }
  if (!root || root.getAttribute("data-ready")) { return; }
  root.setAttribute("data-ready", "loading");
  var D = JSON.parse(root.querySelector("script.ee-data").textContent);

  function fail(message) {
    var p = root.querySelector(".ee-fallback");
    p.textContent = message;
    root.setAttribute("data-ready", "failed");
  }

  function plotlyUrls() {
    var urls = [];
    var cfg = document.getElementById("jupyter-config-data");
    if (cfg) {
      try {
        var base = JSON.parse(cfg.textContent).baseUrl || "/";
        urls.push(base.replace(/\/?$/, "/") + "static/plotly.min.js");
      } catch (e) { /* not JupyterLab's page */ }
    }
    return urls;
  }

  function withPlotly(callback) {
    if (window.Plotly) { callback(window.Plotly); return; }
    var state = window.__embedlabPlotly = window.__embedlabPlotly || {waiting: [], started: false};
    state.waiting.push(callback);
    function done() {
      var list = state.waiting; state.waiting = [];
      list.forEach(function (f) { window.Plotly ? f(window.Plotly) : f(null); });
    }
    if (state.started) { return; }
    state.started = true;
    var tag = document.querySelector("script[data-embedlab-plotly]");
    if (tag) {  // on the page but still loading (deferred)
      tag.addEventListener("load", done); tag.addEventListener("error", done);
      return;
    }
    var urls = plotlyUrls();
    (function next() {
      if (!urls.length) { state.started = false; done(); return; }
      var s = document.createElement("script");
      var amd = window.define;  // plotly.js registers as an AMD module if RequireJS is present
      if (amd && amd.amd) { window.define = undefined; }
      s.src = urls.shift();
      s.setAttribute("data-embedlab-plotly", s.src);
      s.onload = function () { if (amd) { window.define = amd; } done(); };
      s.onerror = function () { if (amd) { window.define = amd; } s.remove(); next(); };
      document.head.appendChild(s);
    })();
  }

  function esc(text) {
    var d = document.createElement("span"); d.textContent = text; return d.innerHTML;
  }

  function draw(Plotly) {
    if (!Plotly) {
      fail("plotly.js could not be loaded: open this notebook in the course's JupyterLab (make lab), " +
           "or call embedlab.explore(..., plotly_js=\"inline\").");
      return;
    }
    root.querySelector(".ee-fallback").style.display = "none";
    var n = D.labels.length, k = D.neighbours[0].length, three = D.dims === 3;
    var mapNames = Object.keys(D.maps).sort();
    var bar = document.createElement("div");
    bar.className = "ee-controls";
    bar.style.cssText = "display:flex;gap:0.5em;align-items:center;flex-wrap:wrap;margin:0.3em 0";
    var listId = ID + "-labels";
    bar.innerHTML = '<label>Find <input class="ee-search" type="search" list="' + listId +
      '" placeholder="a label, then Enter" style="width:14em"></label>' +
      (mapNames.length > 1 ? '<label>Map <select class="ee-map"></select></label>' : "") +
      '<span class="ee-status" style="color:#444"></span>';
    var datalist = document.createElement("datalist");
    datalist.id = listId;
    var seen = {};
    D.labels.forEach(function (label, i) {
      if (seen[label] === undefined) {
        seen[label] = i;
        var o = document.createElement("option"); o.value = label; datalist.appendChild(o);
      }
    });
    bar.appendChild(datalist);
    var plot = document.createElement("div");
    plot.className = "ee-plot";
    plot.style.cssText = "width:100%;height:" + D.height + "px";
    var panel = document.createElement("div");
    panel.className = "ee-panel";
    panel.style.cssText = "min-height:2em";
    root.appendChild(bar); root.appendChild(plot); root.appendChild(panel);
    var select = bar.querySelector(".ee-map");
    if (select) {
      mapNames.forEach(function (name) {
        var o = document.createElement("option"); o.value = name; o.textContent = name; select.appendChild(o);
      });
    }
    var mapName = mapNames[0], selected = null;
    var groups = D.categories ? D.category_names : ["points"];
    var colours = D.categories ? D.colours : ["#0072B2"];

    function hover(i) {
      var extra = [];
      if (D.categories) { extra.push(esc(D.categories[i])); }
      if (D.norms) { extra.push("norm " + D.norms[i]); }
      return "<b>" + esc(D.labels[i]) + "</b>" + (extra.length ? "<br>" + extra.join("<br>") : "");
    }
    function coords(rows) {
      var c = D.maps[mapName], out = {x: [], y: [], z: []};
      rows.forEach(function (i) { out.x.push(c[0][i]); out.y.push(c[1][i]); if (three) { out.z.push(c[2][i]); } });
      return out;
    }
    function trace(rows, extra) {
      var c = coords(rows);
      var t = {type: three ? "scatter3d" : "scatter", mode: "markers", x: c.x, y: c.y,
               customdata: rows, hovertext: rows.map(hover), hoverinfo: "text"};
      if (three) { t.z = c.z; }
      for (var key in extra) { t[key] = extra[key]; }
      return t;
    }
    function traces() {
      var out = groups.map(function (g, gi) {
        var rows = [];
        for (var i = 0; i < n; i++) { if (!D.categories || D.categories[i] === g) { rows.push(i); } }
        return trace(rows, {name: g, marker: {color: colours[gi], size: three ? 3 : 6, opacity: 0.75}});
      });
      var hood = selected === null ? [] : D.neighbours[selected];
      out.push(trace(hood, {name: "neighbours", mode: "markers+text", showlegend: false,
        text: hood.map(function (j, r) { return D.labels[j] + " " + D.scores[selected][r].toFixed(2); }),
        textposition: "top center",
        marker: {size: three ? 6 : 12, color: "rgba(0,0,0,0)", line: {color: "#000", width: 2}}}));
      var me = selected === null ? [] : [selected];
      out.push(trace(me, {name: "selected", mode: "markers+text", showlegend: false,
        text: me.map(function (i) { return D.labels[i]; }), textposition: "bottom center",
        marker: {size: three ? 8 : 16, color: "#D55E00", symbol: three ? "diamond" : "star",
                 line: {color: "#000", width: 1}}}));
      return out;
    }
    var axis = function (t) { return {title: {text: t}, zeroline: false}; };
    var layout = {title: {text: mapName}, hovermode: "closest", height: D.height, showlegend: !!D.categories,
      margin: {l: 50, r: 10, t: 40, b: 45}, legend: {itemsizing: "constant"}};
    if (three) {
      layout.scene = {xaxis: axis("dimension 1"), yaxis: axis("dimension 2"), zaxis: axis("dimension 3")};
    } else {
      layout.xaxis = axis("dimension 1"); layout.yaxis = axis("dimension 2");
    }
    var config = {responsive: true, displaylogo: false, typesetMath: false};

    function show(i) {
      selected = i;
      var rows = D.neighbours[i].map(function (j, r) {
        return "<li>" + esc(D.labels[j]) + " <span class=\"ee-score\">" + D.scores[i][r].toFixed(3) + "</span>" +
          (D.norms ? " (norm " + D.norms[j] + ")" : "") + "</li>";
      });
      panel.innerHTML = "<div>Nearest " + k + " to <b class=\"ee-selected\">" + esc(D.labels[i]) + "</b>" +
        (D.norms ? " (norm " + D.norms[i] + ")" : "") + ", cosine on the original " + D.dim +
        "-d vectors:</div><ol class=\"ee-neighbours\" style=\"columns:2;margin:0.2em 0\">" + rows.join("") + "</ol>";
      Plotly.react(plot, traces(), layout, config);
      root.setAttribute("data-selected", D.labels[i]);
    }
    function find(text) {
      var q = text.trim().toLowerCase(), status = bar.querySelector(".ee-status");
      if (!q) { return; }
      var hit = -1;
      for (var i = 0; i < n && hit < 0; i++) { if (D.labels[i].toLowerCase() === q) { hit = i; } }
      for (var j = 0; j < n && hit < 0; j++) { if (D.labels[j].toLowerCase().indexOf(q) === 0) { hit = j; } }
      if (hit < 0) {
        status.textContent = "no label \u201c" + text.trim() + "\u201d among the " + n + " points shown";
        return;
      }
      status.textContent = "";
      show(hit);
    }
    var search = bar.querySelector(".ee-search");
    search.addEventListener("change", function () { find(search.value); });
    search.addEventListener("keydown", function (e) { if (e.key === "Enter") { find(search.value); } });
    if (select) {
      select.addEventListener("change", function () {
        mapName = select.value; layout.title.text = mapName; Plotly.react(plot, traces(), layout, config);
      });
    }
    Plotly.newPlot(plot, traces(), layout, config).then(function () {
      plot.on("plotly_click", function (event) {
        var p = event.points && event.points[0];
        if (p && p.customdata !== undefined) { show(Number(p.customdata)); }
      });
      root.setAttribute("data-ready", "yes");
      if (window.ResizeObserver) {  // drawn while hidden (a slide not shown yet): fit once it shows
        var width = plot.clientWidth;
        new ResizeObserver(function () {
          if (plot.clientWidth && plot.clientWidth !== width) { width = plot.clientWidth; Plotly.Plots.resize(plot); }
        }).observe(plot);
      }
    });
  }

  withPlotly(draw);
})();
"""
