"""embedlab.explore: the data behind the interactive map, its input checks and its determinism.

What a browser does with the page is checked in tests/browser (the book, the slides, JupyterLab).
"""

import json
import re

import numpy as np
import pytest

import embedlab
from embedlab import reduce, similarity
from embedlab.explore import Explorer


@pytest.fixture
def cloud():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(60, 8)) * rng.uniform(0.5, 3.0, size=(60, 1))   # norms far from 1
    labels = [f"w{i}" for i in range(60)]
    return vectors, labels


def _data(explorer):
    html = explorer.to_html()
    block = re.search(r'<script type="application/json" class="ee-data">(.*?)</script>', html, re.S).group(1)
    return json.loads(block.replace("<\\/", "</"))


def test_is_the_package_level_function():
    import sys

    import embedlab.explore  # noqa: F401  (importing the module keeps the name bound to the function)

    assert callable(embedlab.explore) and embedlab.explore.__module__ == "embedlab.explore"
    assert sys.modules["embedlab.explore"].explore is embedlab.explore


def test_neighbours_are_top_k_on_the_original_vectors_not_the_map(cloud):
    vectors, labels = cloud
    ex = embedlab.explore(vectors, labels, k=5)
    expected, scores = similarity.top_k(vectors, vectors, k=5, exclude=[[i] for i in range(60)])
    np.testing.assert_array_equal(ex.neighbours, expected)
    np.testing.assert_allclose(ex.scores, scores)
    # an independent check: cosine by hand, own row removed
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    S = unit @ unit.T
    np.fill_diagonal(S, -np.inf)
    np.testing.assert_array_equal(ex.neighbours, np.argsort(-S, axis=1, kind="stable")[:, :5])
    # ... and they are not the map's neighbours (2-D PCA of 8-D noise loses most of them)
    xy = ex.maps["PCA 2-D"]
    D = np.linalg.norm(xy[:, None] - xy[None], axis=-1)
    np.fill_diagonal(D, np.inf)
    assert not np.array_equal(np.argsort(D, axis=1)[:, :5], ex.neighbours)
    # what the page receives: the same lists, scores to 3 decimals
    data = _data(ex)
    assert data["neighbours"] == expected.tolist()
    np.testing.assert_allclose(data["scores"], scores, atol=5e-4)
    assert ex.neighbours_of("w0") == [(labels[j], float(s)) for j, s in zip(expected[0], scores[0])]


def test_map_is_the_course_pca_and_can_be_3d(cloud):
    vectors, labels = cloud
    ex2 = embedlab.explore(vectors, labels)
    np.testing.assert_allclose(ex2.maps["PCA 2-D"], reduce.pca(vectors, 2).transform(vectors))
    ex3 = embedlab.explore(vectors, labels, dims=3)
    np.testing.assert_allclose(ex3.maps["PCA 3-D"], reduce.pca(vectors, 3).transform(vectors))
    assert _data(ex3)["dims"] == 3
    np.testing.assert_allclose(_data(ex2)["maps"]["PCA 2-D"], ex2.maps["PCA 2-D"].T, rtol=1e-3, atol=1e-3)


def test_tsne_and_umap_maps_come_from_reduce(cloud):
    vectors, labels = cloud
    ex = embedlab.explore(vectors, labels, method=["tsne", "umap"])
    assert set(ex.maps) == {"t-SNE 2-D", "UMAP 2-D"}
    np.testing.assert_allclose(ex.maps["t-SNE 2-D"], reduce.tsne_map(vectors, perplexity=59 / 3, seed=0))
    np.testing.assert_allclose(ex.maps["UMAP 2-D"], reduce.umap_map(vectors, n_neighbors=15, seed=0))


def test_given_maps_are_used_and_sampled_with_the_rows(cloud):
    vectors, labels = cloud
    xy = np.arange(120, dtype=float).reshape(60, 2)
    ex = embedlab.explore(vectors, labels, maps={"mine": xy}, max_points=20, keep=["w59"])
    assert len(ex.rows) == 20 and ex.rows[-1] == 59 and list(ex.rows[:19]) == list(range(19))
    np.testing.assert_array_equal(ex.maps["mine"], xy[ex.rows])
    shown = vectors[ex.rows]
    expected, _ = similarity.top_k(shown, shown, k=10, exclude=[[i] for i in range(20)])
    np.testing.assert_array_equal(ex.neighbours, expected)
    assert "Showing 20 of 60 points" in ex.note and "among the points shown" in ex.note
    random = embedlab.explore(vectors, labels, max_points=20, sample="random", seed=3)
    assert len(random.rows) == 20 and list(random.rows) != list(range(20))
    assert "random sample of 20 other rows (seed 3)" in random.note


def test_large_set_is_sampled_and_says_so():
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(50_000, 16)).astype(np.float32)
    labels = [f"w{i}" for i in range(50_000)]
    ex = embedlab.explore(vectors, labels, keep=["w49999"])
    assert len(ex.labels) == 2000 and "w49999" in ex.labels
    assert "Showing 2,000 of 50,000 points" in repr(ex)
    assert len(ex.to_html()) < 400_000   # a page holds several of these


def test_norms_are_shown_only_when_not_unit_length(cloud):
    vectors, labels = cloud
    raw = embedlab.explore(vectors, labels)
    np.testing.assert_allclose(_data(raw)["norms"], np.linalg.norm(vectors, axis=1), atol=5e-4)
    assert "not unit length" in raw.note
    unit = embedlab.explore(vectors / np.linalg.norm(vectors, axis=1, keepdims=True), labels)
    assert _data(unit)["norms"] is None and "not unit length" not in unit.note


def test_categories_from_a_sequence_or_a_mapping(cloud):
    vectors, labels = cloud
    ex = embedlab.explore(vectors, labels, categories=["a", "b", "c"] * 20)
    assert _data(ex)["category_names"] == ["a", "b", "c"] and len(set(_data(ex)["colours"])) == 3
    mapped = embedlab.explore(vectors, labels, categories={"w1": "one", "w2": "two"})
    assert mapped.categories[:4] == ["other", "one", "two", "other"]
    assert _data(mapped)["category_names"] == ["other", "one", "two"]


def test_output_is_deterministic_and_offline(cloud):
    vectors, labels = cloud
    first = embedlab.explore(vectors, labels).to_html()
    again = embedlab.explore(vectors.copy(), list(labels)).to_html()
    assert first == again
    assert "http" not in first and "plotly.min.js" in first   # no address to fetch but the local one
    assert len(first) < 50_000   # plotly.js itself is not in the output
    bundle = embedlab.explore(vectors, labels)._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"} and "60 points" in bundle["text/plain"]


def test_labels_cannot_break_out_of_the_page(cloud):
    vectors, _ = cloud
    labels = [f"</script><b>{i}</b>" for i in range(60)]
    html = embedlab.explore(vectors, labels).to_html()
    assert html.count("</script>") == 2   # the data block's and the code's own
    assert _data(embedlab.explore(vectors, labels))["labels"] == labels


def test_inline_mode_carries_plotly(cloud):
    vectors, labels = cloud
    html = embedlab.explore(vectors[:5], labels[:5], k=2, plotly_js="inline").to_html()
    assert len(html) > 1_000_000 and 'data-embedlab-plotly="inline"' in html


@pytest.mark.parametrize("bad, error, message", [
    (dict(labels=[f"w{i}" for i in range(59)]), ValueError, "labels has 59 entries but vectors has 60 rows"),
    (dict(labels="w0"), TypeError, "labels must be a sequence"),
    (dict(categories=["a"] * 3), ValueError, "categories has 3 entries"),
    (dict(method="lda"), ValueError, "method must be one of"),
    (dict(dims=4), ValueError, "dims must be 2 or 3"),
    (dict(k=0), ValueError, "k must be a positive integer"),
    (dict(k=60), ValueError, "k=60 neighbours need at least 61 points"),
    (dict(sample="every"), ValueError, "sample must be one of"),
    (dict(max_points=10, keep=["nope"]), ValueError, "keep names labels that are not in labels"),
    (dict(keep=["w1", "nope"]), ValueError, "keep names labels that are not in labels: ['nope']"),
    (dict(maps={"m": np.zeros((59, 2))}), ValueError, "map 'm' must have shape (60, 2) or (60, 3)"),
    (dict(maps={"m": np.zeros((60, 2)), "n": np.zeros((60, 3))}), ValueError, "same number of dimensions"),
    (dict(plotly_js="cdn"), ValueError, "plotly_js must be"),
])
def test_bad_options_get_clear_errors(cloud, bad, error, message):
    vectors, labels = cloud
    args = dict(labels=labels) | bad
    with pytest.raises(error, match=re.escape(message)):
        embedlab.explore(vectors, **args)


@pytest.mark.parametrize("vectors, message", [
    (np.zeros(5), "vectors must be a 2-D array (n_items, n_dims), got shape (5,)"),
    (np.zeros((5, 2, 2)), "vectors must be a 2-D array (n_items, n_dims), got shape (5, 2, 2)"),
    (np.array([[1.0, np.nan], [1.0, 2.0], [3.0, 1.0]]), "NaN or infinite values in 1 row(s), e.g. rows [0]"),
    (np.array([[1.0, 2.0], [np.inf, 2.0], [3.0, 1.0]]), "NaN or infinite values in 1 row(s), e.g. rows [1]"),
    (np.array([[1.0, 2.0], [0.0, 0.0], [3.0, 1.0]]), "vectors of zero length have no cosine similarity: ['b']"),
    (np.ones((1, 3)), "at least 2 rows"),
])
def test_bad_vectors_get_clear_errors(vectors, message):
    labels = list("abcde")[: len(vectors)]
    with pytest.raises(ValueError, match=re.escape(message)):
        embedlab.explore(vectors, labels, k=1)


def test_text_vectors_are_refused():
    with pytest.raises(TypeError, match="vectors must be numbers"):
        embedlab.explore([["a", "b"], ["c", "d"]], ["x", "y"], k=1)


def test_explorer_index_errors_name_the_label(cloud):
    vectors, labels = cloud
    ex = embedlab.explore(vectors, labels)
    assert isinstance(ex, Explorer)
    with pytest.raises(KeyError, match="'nope' is not among the 60 points shown"):
        ex.neighbours_of("nope")


def test_a_deck_with_a_map_loads_plotly_first_and_others_do_not(cloud, tmp_path):
    import nbformat

    from embedlab.course import slides

    vectors, labels = cloud
    cell = nbformat.v4.new_code_cell("embedlab.explore(vectors, labels)", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("execute_result", embedlab.explore(vectors, labels)._repr_mimebundle_(),
                                           execution_count=1)]
    with_map, without = tmp_path / "map.ipynb", tmp_path / "plain.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), with_map)
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# no map")]), without)
    assert slides.needs_plotly(with_map) and not slides.needs_plotly(without)
    deck = slides.render_deck(with_map)
    plotly, require = deck.find(f'src="{slides.PLOTLY_URL}"'), deck.find(slides.REQUIRE_JS_URL)
    assert 0 < plotly < require, "plotly.js must load before RequireJS to define window.Plotly"
    assert "plotly.min.js" not in slides.render_deck(without)
