"""embedlab.reduce: PCA from scratch against scikit-learn, its identities, and its errors."""

import numpy as np
import pytest
from sklearn.decomposition import PCA as SklearnPCA
from sklearn.manifold import TSNE, trustworthiness

from embedlab import reduce

METHODS = ("eigh", "svd")


def low_rank(n, d, rank, seed=0, noise=0.01):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, rank)) @ rng.normal(size=(rank, d)) + noise * rng.normal(size=(n, d)) + 3.0


@pytest.fixture(scope="module")
def glove64():
    from embedlab.pretrained import load_glove

    return np.asarray(load_glove().vectors, dtype=np.float64)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("shape", [(500, 30), (40, 100)], ids=["tall", "wide"])
def test_matches_sklearn_on_random_data(method, shape):
    X = low_rank(*shape, rank=8)
    k = 10
    ours = reduce.pca(X, k, method=method)
    ref = SklearnPCA(k, svd_solver="full").fit(X)
    # Signs too: both flip each component so that its largest entry is positive.
    np.testing.assert_allclose(ours.components, ref.components_, atol=1e-6)
    np.testing.assert_allclose(ours.explained_variance, ref.explained_variance_, rtol=1e-6)
    np.testing.assert_allclose(ours.explained_variance_ratio, ref.explained_variance_ratio_, atol=1e-9)
    np.testing.assert_allclose(ours.singular_values, ref.singular_values_, rtol=1e-6)
    np.testing.assert_allclose(ours.mean, ref.mean_, atol=1e-12)
    np.testing.assert_allclose(ours.transform(X), ref.transform(X), atol=1e-6)
    Z = ref.transform(X)
    np.testing.assert_allclose(ours.inverse_transform(Z), ref.inverse_transform(Z), atol=1e-6)


@pytest.mark.parametrize("method", METHODS)
def test_matches_sklearn_on_glove(glove64, method):
    X = glove64[:20_000] if method == "svd" else glove64  # the SVD of 400k rows is slow
    ours = reduce.pca(X, 10, method=method)
    ref = SklearnPCA(10, svd_solver="full" if method == "svd" else "covariance_eigh").fit(X)
    np.testing.assert_allclose(ours.components, ref.components_, atol=1e-6)
    np.testing.assert_allclose(ours.explained_variance_ratio, ref.explained_variance_ratio_, atol=1e-9)


def test_float32_input_is_close_to_a_float64_fit(glove64):
    from embedlab.pretrained import load_glove

    ours32 = reduce.pca(np.asarray(load_glove().vectors))
    ours64 = reduce.pca(glove64)
    assert ours32.components.dtype == np.float64
    np.testing.assert_allclose(ours32.components, ours64.components, atol=1e-5)
    np.testing.assert_allclose(ours32.explained_variance, ours64.explained_variance, rtol=1e-5)


def test_eigh_and_svd_routes_agree():
    X = low_rank(300, 25, rank=25)
    a, b = reduce.pca(X, method="eigh"), reduce.pca(X, method="svd")
    np.testing.assert_allclose(a.components, b.components, atol=1e-8)
    np.testing.assert_allclose(a.explained_variance, b.explained_variance, rtol=1e-8)


def test_components_are_orthonormal_and_sorted():
    model = reduce.pca(low_rank(200, 15, rank=15))
    np.testing.assert_allclose(model.components @ model.components.T, np.eye(15), atol=1e-10)
    assert np.all(np.diff(model.explained_variance) <= 0)


def test_sign_convention_is_deterministic():
    X = low_rank(200, 12, rank=12)
    rng = np.random.default_rng(1)
    base = reduce.pca(X)
    rows = np.arange(12)
    largest = base.components[rows, np.argmax(np.abs(base.components), axis=1)]
    assert np.all(largest > 0)
    # -X and shuffled rows have the same covariance, hence the same signed components.
    np.testing.assert_allclose(reduce.pca(-X).components, base.components, atol=1e-10)
    np.testing.assert_allclose(reduce.pca(X[rng.permutation(200)]).components, base.components, atol=1e-10)
    np.testing.assert_array_equal(reduce.flip_signs([[0.1, -0.9], [0.0, 0.0]]), [[-0.1, 0.9], [0.0, 0.0]])


def test_auto_picks_the_route_by_shape():
    tall, wide = low_rank(400, 10, 5), low_rank(30, 10, 5)
    for X in (tall, wide):
        np.testing.assert_allclose(reduce.pca(X, 3).components, reduce.pca(X, 3, method="svd").components, atol=1e-8)


def test_integer_and_float_inputs_give_the_same_fit():
    X = np.random.default_rng(2).integers(0, 256, size=(300, 16)).astype(np.uint8)
    np.testing.assert_allclose(reduce.pca(X, 5).components, reduce.pca(X.astype(float), 5).components, atol=1e-10)


def test_truncate_equals_fitting_fewer_components():
    X = low_rank(150, 20, rank=20)
    full = reduce.pca(X)
    np.testing.assert_allclose(full.truncate(4).components, reduce.pca(X, 4).components, atol=1e-10)
    assert full.truncate(4).total_variance == full.total_variance


def test_reconstruct_matches_sklearn_round_trip():
    X = low_rank(100, 12, rank=12)
    ref = SklearnPCA(4, svd_solver="full").fit(X)
    expected = ref.inverse_transform(ref.transform(X))
    np.testing.assert_allclose(reduce.pca(X).reconstruct(X, 4), expected, atol=1e-8)
    np.testing.assert_allclose(reduce.pca(X).reconstruct(X), X, atol=1e-8)  # all components: lossless


def test_reconstruction_error_is_the_discarded_variance():
    X = low_rank(120, 10, rank=10)
    model = reduce.pca(X)
    n = len(X)
    errors = [model.reconstruction_error(X, k) for k in range(1, 11)]
    expected = [(n - 1) / n * model.explained_variance[k:].sum() for k in range(1, 11)]
    np.testing.assert_allclose(errors, expected, rtol=1e-8, atol=1e-10)
    assert errors[-1] < 1e-12 * model.total_variance
    assert all(a >= b for a, b in zip(errors, errors[1:]))


@pytest.mark.parametrize("method", METHODS)
def test_whitening_matches_sklearn_and_gives_identity_covariance(method):
    X = low_rank(400, 12, rank=12)
    ours = reduce.pca(X, 6, method=method, whiten=True)
    ref = SklearnPCA(6, whiten=True, svd_solver="full").fit(X)
    Z = ours.transform(X)
    np.testing.assert_allclose(Z, ref.transform(X), atol=1e-6)
    np.testing.assert_allclose(np.cov(Z, rowvar=False), np.eye(6), atol=1e-10)
    np.testing.assert_allclose(ours.inverse_transform(Z), ref.inverse_transform(Z), atol=1e-6)


def test_n_components_for_matches_sklearn_threshold():
    X = low_rank(300, 40, rank=15, noise=0.3)
    ratio = reduce.pca(X).explained_variance_ratio
    for threshold in (0.5, 0.8, 0.9, 0.99):
        assert reduce.n_components_for(ratio, threshold) == SklearnPCA(threshold).fit(X).n_components_
    assert reduce.n_components_for(ratio, 1.0) <= 40


def test_constant_columns_get_zero_weight_and_still_match_sklearn():
    X = low_rank(200, 8, rank=8)
    X[:, [2, 5]] = 7.0
    for method in METHODS:
        ours = reduce.pca(X, 6, method=method)
        ref = SklearnPCA(6, svd_solver="full").fit(X)
        np.testing.assert_allclose(ours.components, ref.components_, atol=1e-6)
        np.testing.assert_allclose(ours.components[:, [2, 5]], 0, atol=1e-10)
    with pytest.raises(ValueError, match="only 6 directions with non-zero variance"):
        reduce.pca(X, 8, whiten=True)


def test_trustworthiness_table():
    X = low_rank(200, 10, rank=2, noise=0.0)
    good = reduce.pca(X, 2).transform(X)  # rank-2 data: a perfect map
    bad = np.random.default_rng(3).normal(size=(200, 2))
    table = reduce.trustworthiness_table(X, {"PCA": good, "random": bad}, n_neighbors=(5, 10), decimals=None)
    assert list(table.index) == ["PCA", "random"] and list(table.columns) == ["k=5", "k=10"]
    assert table.loc["PCA", "k=5"] == pytest.approx(1.0)
    assert table.loc["random", "k=10"] == pytest.approx(trustworthiness(X, bad, n_neighbors=10))
    assert table.loc["random", "k=10"] < 0.7
    with pytest.raises(ValueError, match="has 3 rows but X has 200"):
        reduce.trustworthiness_table(X, {"short": good[:3]})


def test_tsne_map_is_sklearn_tsne_with_a_seed():
    X = low_rank(120, 10, rank=3, noise=0.1)
    ours = reduce.tsne_map(X, perplexity=10, seed=1, max_iter=250)  # one thread
    reference = TSNE(perplexity=10, random_state=1, max_iter=250).fit_transform(X)  # the default threads
    np.testing.assert_allclose(ours, reference, atol=1e-4)


def test_umap_map_is_reproducible():
    X = low_rank(150, 10, rank=3, noise=0.1)
    first = reduce.umap_map(X, n_neighbors=10, seed=0)
    assert first.shape == (150, 2)
    np.testing.assert_array_equal(first, reduce.umap_map(X, n_neighbors=10, seed=0))
    assert trustworthiness(X, first, n_neighbors=5) > 0.9


@pytest.mark.parametrize(
    "X, kwargs, message",
    [
        (np.ones((10, 3)), {"k": 4}, "k=4 is larger than min"),
        (np.ones((10, 3)), {"k": 0}, "positive integer"),
        (np.ones((10, 3)), {"k": 1.5}, "positive integer"),
        (np.ones((10, 3)), {"method": "qr"}, "method must be one of"),
        (np.array([[1.0, np.nan], [2.0, 3.0], [0.0, 1.0]]), {}, r"NaN or infinite.*row 0, column 1"),
        (np.array([[1.0, np.inf], [2.0, 3.0]]), {}, "NaN or infinite"),
        (np.ones(5), {}, "2-D matrix"),
        (np.ones((1, 5)), {}, "at least 2 row"),
        (np.array([["a", "b"], ["c", "d"]]), {}, "must be numeric"),
        (np.ones((10, 3)), {}, "zero variance"),
    ],
    ids=["k>d", "k=0", "k-float", "method", "nan", "inf", "1-d", "one-row", "strings", "all-constant"],
)
def test_bad_inputs_give_clear_errors(X, kwargs, message):
    with pytest.raises(ValueError, match=message):
        reduce.pca(X, **kwargs)


def test_bad_inputs_after_fitting():
    model = reduce.pca(low_rank(50, 6, rank=6), 3)
    with pytest.raises(ValueError, match="X has 5 features but the PCA was fitted on 6"):
        model.transform(np.ones((2, 5)))
    with pytest.raises(ValueError, match="Z must have 3 columns"):
        model.inverse_transform(np.ones((2, 4)))
    with pytest.raises(ValueError, match="k=4 is larger than the fitted components"):
        model.truncate(4)
    with pytest.raises(ValueError, match="threshold must be a fraction"):
        reduce.n_components_for(model.explained_variance_ratio, 90)
    with pytest.raises(ValueError, match="keep only"):
        reduce.n_components_for(model.truncate(1).explained_variance_ratio, 0.999)
