"""Dimensionality reduction (lesson 02): PCA from scratch, and a yardstick for 2-D maps.

PCA finds the orthonormal directions along which centred data varies most. Two routes
give the same answer:

* ``method="eigh"``: eigendecomposition of the covariance matrix ``C = Xc^T Xc / (n - 1)``.
  Cheap when there are many more rows than columns (400k GloVe words x 50 dims): the
  work is one pass over the data to build a ``d x d`` matrix.
* ``method="svd"``: singular value decomposition of the centred data ``Xc = U S V^T``;
  the rows of ``V^T`` are the directions and ``S^2 / (n - 1)`` their variances. More
  accurate (no squaring of the data), slower when ``n`` is large.

Eigenvectors are only defined up to sign, so every component is flipped to make its
largest-magnitude entry positive (the convention scikit-learn uses): the same data gives
the same components whatever the route or the LAPACK build.

Results are float64 whatever the input dtype. The covariance of float32 data (GloVe) is
built from centred float32 blocks whose products are summed in float64: as fast as
float32 arithmetic, and on GloVe within ~2e-6 of a float64 fit, where one float32
product over all 400k rows (what scikit-learn does) is ~2e-5 off.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

__all__ = [
    "PCA",
    "pca",
    "flip_signs",
    "n_components_for",
    "tsne_map",
    "umap_map",
    "trustworthiness_table",
    "plot_scree",
    "plot_maps",
    "plot_images",
]

METHODS = ("auto", "eigh", "svd")

# Paul Tol's "muted" scheme: ten colours that stay distinct with colour-blindness, for maps of
# ten classes (the course's default palette has eight).
TEN_COLOURS = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255",
               "#AA4499", "#777777")

# Rows centred at a time when building the covariance matrix: 16,384 rows x 784 float64
# columns is 100 MB, so a 70,000 x 784 image matrix is never copied whole.
_BLOCK_ROWS = 16384


@dataclass(frozen=True)
class PCA:
    """A fitted PCA: ``transform`` projects onto the components, ``inverse_transform`` maps back.

    ``components`` has one unit-length direction per row, ordered by decreasing
    ``explained_variance`` (the variance of the data along it, with the ``n - 1``
    denominator). ``total_variance`` is the variance summed over all original
    dimensions, so ``explained_variance_ratio`` is the share each component keeps.
    With ``whiten=True``, ``transform`` also divides each coordinate by its standard
    deviation, so the projected data has identity covariance.
    """

    mean: np.ndarray
    components: np.ndarray
    explained_variance: np.ndarray
    total_variance: float
    n_samples: int
    whiten: bool = False

    @property
    def n_components(self) -> int:
        return len(self.components)

    @property
    def explained_variance_ratio(self) -> np.ndarray:
        return self.explained_variance / self.total_variance

    @property
    def singular_values(self) -> np.ndarray:
        """The singular values of the centred training data, ``sqrt((n - 1) * variance)``."""
        return np.sqrt(self.explained_variance * (self.n_samples - 1))

    def truncate(self, k: int) -> PCA:
        """The same fit keeping only the first ``k`` components (no refit needed)."""
        _check_k(k, self.n_components, "the fitted components")
        return replace(self, components=self.components[:k], explained_variance=self.explained_variance[:k])

    def transform(self, X) -> np.ndarray:
        """Coordinates of the rows of ``X`` along the components, shape ``(n, k)``."""
        X = _as_matrix(X, "X", min_rows=1)
        _check_dim(X.shape[1], len(self.mean))
        Z = (X - self.mean) @ self.components.T
        return Z / np.sqrt(self.explained_variance) if self.whiten else Z

    def inverse_transform(self, Z) -> np.ndarray:
        """Map coordinates back to the original space (the best rank-k approximation)."""
        Z = _as_matrix(Z, "Z", min_rows=1)
        if Z.shape[1] != self.n_components:
            raise ValueError(f"Z must have {self.n_components} columns (one per component), got {Z.shape[1]}")
        if self.whiten:
            Z = Z * np.sqrt(self.explained_variance)
        return Z @ self.components + self.mean

    def reconstruct(self, X, k: int | None = None) -> np.ndarray:
        """``X`` projected onto the first ``k`` components (default: all kept) and mapped back."""
        model = self if k is None else self.truncate(k)
        return model.inverse_transform(model.transform(X))

    def reconstruction_error(self, X, k: int | None = None) -> float:
        """Mean squared Euclidean distance between the rows of ``X`` and their reconstructions.

        On the training data this equals ``(n - 1) / n`` times the sum of the variances of
        the discarded components (the lesson derives this), so it falls to 0 at full rank.
        """
        X = _as_matrix(X, "X", min_rows=1)
        residual = X - self.reconstruct(X, k)
        return float(np.mean(np.einsum("ij,ij->i", residual, residual)))


def pca(X, k: int | None = None, method: str = "auto", whiten: bool = False) -> PCA:
    """Fit PCA with ``k`` components (default: all ``min(n, d)``) to the rows of ``X``.

    ``method`` is ``"eigh"`` (covariance eigendecomposition), ``"svd"`` (SVD of the
    centred data) or ``"auto"``: ``"eigh"`` for tall data (at least 10 rows per column,
    where it is much faster), ``"svd"`` otherwise. Matches ``sklearn.decomposition.PCA``
    up to rounding, signs included.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    X = _as_matrix(X, "X", min_rows=2)
    n, d = X.shape
    k = min(n, d) if k is None else k
    _check_k(k, min(n, d), f"min(n_samples, n_features) = min({n}, {d})")
    if method == "auto":
        method = "eigh" if n >= 10 * d else "svd"

    mean = X.mean(axis=0, dtype=np.float64)
    if method == "eigh":
        variances, components = _eigh_route(X, mean)
    else:
        variances, components = _svd_route(X, mean)
    total = float(variances.sum())
    if total <= 0:
        raise ValueError("X has zero variance (all rows are identical): there is no direction to find")
    components = flip_signs(components[:k])
    variances = variances[:k]
    if whiten and np.any(variances <= 1e-12 * total):
        rank = int(np.sum(variances > 1e-12 * total))
        raise ValueError(f"cannot whiten: the data has only {rank} directions with non-zero variance, "
                         f"so choose k <= {rank} (got k={k})")
    return PCA(mean, components, variances, total, n, whiten)


def _eigh_route(X: np.ndarray, mean: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n, d = X.shape
    # float32 data is multiplied in float32 (twice as fast); centring it first and summing
    # the blocks' products in float64 keeps most of the precision float32 would lose.
    dtype = np.float32 if X.dtype == np.float32 else np.float64
    shift = mean.astype(dtype)
    C = np.zeros((d, d))
    for start in range(0, n, _BLOCK_ROWS):
        block = X[start : start + _BLOCK_ROWS] - shift  # a copy of a few MB, never all of X
        C += block.T @ block
    C /= n - 1
    eigenvalues, eigenvectors = np.linalg.eigh(C)  # ascending order
    eigenvalues = np.maximum(eigenvalues[::-1], 0.0)  # rounding can make tiny ones negative
    return eigenvalues, eigenvectors[:, ::-1].T


def _svd_route(X: np.ndarray, mean: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import scipy.linalg

    _, singular_values, Vt = scipy.linalg.svd(X - mean, full_matrices=False, check_finite=False)
    return singular_values**2 / (len(X) - 1), Vt


def flip_signs(components) -> np.ndarray:
    """Flip each row so that its largest-magnitude entry is positive (a deterministic sign)."""
    components = np.asarray(components)
    rows = np.arange(len(components))
    signs = np.sign(components[rows, np.argmax(np.abs(components), axis=1)])
    signs[signs == 0] = 1
    return components * signs[:, None]


def n_components_for(explained_variance_ratio, threshold: float) -> int:
    """The smallest ``k`` whose first ``k`` components keep at least ``threshold`` of the variance."""
    ratio = np.asarray(explained_variance_ratio, dtype=float)
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be a fraction in (0, 1], got {threshold!r}")
    cumulative = np.cumsum(ratio)
    if cumulative[-1] < threshold - 1e-12:
        raise ValueError(f"the given components keep only {cumulative[-1]:.3f} of the variance, "
                         f"less than the threshold {threshold}")
    return int(min(np.searchsorted(cumulative, threshold - 1e-12) + 1, len(ratio)))


def tsne_map(X, perplexity: float = 30.0, seed: int = 0, **kwargs) -> np.ndarray:
    """A 2-D t-SNE map of the rows of ``X``: scikit-learn's ``TSNE`` with a fixed seed.

    Runs on one OpenMP thread. At a few thousand points more threads save little, and on a
    CPU shared with other work their synchronisation made it 10 times slower in our tests;
    the map is the same for any thread count. ``kwargs`` go to ``TSNE``.
    """
    from sklearn.manifold import TSNE
    from threadpoolctl import threadpool_limits

    X = _as_matrix(X, "X", min_rows=2)
    with threadpool_limits(limits=1, user_api="openmp"):
        return TSNE(perplexity=perplexity, random_state=seed, **kwargs).fit_transform(X)


def umap_map(X, n_neighbors: int = 15, seed: int = 0, **kwargs) -> np.ndarray:
    """A 2-D UMAP map of the rows of ``X`` (umap-learn) with a fixed seed.

    With a seed umap-learn runs on one thread and is reproducible. The first call in a
    process imports umap-learn and compiles its numba functions: expect several seconds.
    ``kwargs`` go to ``umap.UMAP``.
    """
    import umap

    X = _as_matrix(X, "X", min_rows=2)
    return umap.UMAP(n_neighbors=n_neighbors, random_state=seed, n_jobs=1, **kwargs).fit_transform(X)


def trustworthiness_table(X, embeddings: Mapping[str, np.ndarray], n_neighbors: Sequence[int] = (5, 15, 50),
                          decimals: int | None = 3):
    """Trustworthiness of several low-dimensional maps of ``X``, as a DataFrame (one row per map).

    Trustworthiness (Venna & Kaski 2001; ``sklearn.manifold.trustworthiness``) is 1 when
    every point's ``k`` nearest neighbours in the map were also among its nearest
    neighbours in the original space, and falls when the map invents neighbours.
    """
    import pandas as pd
    from sklearn.manifold import trustworthiness

    X = _as_matrix(X, "X", min_rows=2)
    rows = {}
    for name, Y in embeddings.items():
        Y = _as_matrix(Y, f"embedding {name!r}", min_rows=2)
        if len(Y) != len(X):
            raise ValueError(f"embedding {name!r} has {len(Y)} rows but X has {len(X)}")
        rows[name] = {f"k={k}": trustworthiness(X, Y, n_neighbors=k) for k in n_neighbors}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "method"
    return table.round(decimals) if decimals is not None else table


def plot_scree(model: PCA, ax=None, thresholds: Sequence[float] = (0.9,), title: str = "Scree plot"):
    """Explained variance ratio per component (bars) and its running total (line)."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.0))
    k = np.arange(1, model.n_components + 1)
    ratio = model.explained_variance_ratio
    ax.bar(k, ratio, width=1.0, alpha=0.6, label="per component")
    ax.plot(k, np.cumsum(ratio), color="C1", label="cumulative")
    for t in thresholds:
        kt = n_components_for(ratio, t) if np.sum(ratio) >= t else None
        if kt is not None:
            ax.axhline(t, color="grey", lw=0.8, ls="--")
            ax.annotate(f"{t:.0%} at k={kt}", (kt, t), xytext=(5, -14), textcoords="offset points", fontsize=9)
    ax.set(title=title, xlabel="component k", ylabel="share of variance", ylim=(0, 1.05))
    ax.legend(loc="center right", frameon=False)
    return ax


def plot_maps(maps: Mapping[str, np.ndarray], groups: Sequence[str], order: Sequence[str] | None = None,
              title: str = "", s: float = 4, panel_size: float = 4.2):
    """Side-by-side 2-D maps of the same points, one panel per map, coloured by group.

    ``groups`` gives each point's group (class name); ``order`` fixes the legend order
    (default: first seen). Up to ten groups get distinct colour-blind-safe colours; the
    single legend sits to the right of the last panel.
    """
    import matplotlib.pyplot as plt

    groups = np.asarray(groups)
    order = list(dict.fromkeys(groups.tolist())) if order is None else list(order)
    if len(order) > len(TEN_COLOURS):
        raise ValueError(f"plot_maps colours at most {len(TEN_COLOURS)} groups, got {len(order)}")
    fig, axes = plt.subplots(1, len(maps), figsize=(panel_size * len(maps) + 1.8, panel_size), squeeze=False)
    for ax, (name, points) in zip(axes[0], maps.items()):
        points = np.asarray(points)
        if points.shape != (len(groups), 2):
            raise ValueError(f"map {name!r} has shape {points.shape}, expected ({len(groups)}, 2)")
        for group, colour in zip(order, TEN_COLOURS):
            mask = groups == group
            ax.scatter(points[mask, 0], points[mask, 1], s=s, color=colour, label=group)
        ax.set(title=name, xlabel="map dimension 1", ylabel="map dimension 2")
    axes[0, -1].legend(loc="center left", bbox_to_anchor=(1.02, 0.5), frameon=False, markerscale=3, fontsize=9)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_images(images, shape: tuple[int, int], titles: Sequence[str] | None = None, ncols: int = 8,
                title: str = "", cmap: str = "gray", symmetric: bool = False):
    """A grid of flattened images (rows of ``images``) reshaped to ``shape``.

    ``symmetric=True`` centres the colour scale on 0, for eigen-images whose signs matter.
    """
    import matplotlib.pyplot as plt

    images = np.asarray(images)
    nrows = -(-len(images) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.3 * ncols, 1.4 * nrows + 0.4), squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i < len(images):
            image = images[i].reshape(shape)
            limit = np.abs(image).max() if symmetric else None
            ax.imshow(image, cmap=cmap, vmin=-limit if symmetric else None, vmax=limit)
            if titles is not None:
                ax.set_title(str(titles[i]), fontsize=9)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def _as_matrix(X, name: str, min_rows: int) -> np.ndarray:
    arr = np.asarray(X)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise ValueError(f"{name} must be numeric, got dtype {arr.dtype}")
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D matrix (n_samples, n_features), got shape {arr.shape}")
    if arr.shape[0] < min_rows or arr.shape[1] == 0:
        raise ValueError(f"{name} needs at least {min_rows} row(s) and 1 column, got shape {arr.shape}")
    if np.issubdtype(arr.dtype, np.floating) and not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(f"{name} contains NaN or infinite values (first at row {bad[0]}, column {bad[1]}); "
                         "drop or impute them before PCA")
    return arr


def _check_k(k, limit: int, what: str) -> None:
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if k > limit:
        raise ValueError(f"k={k} is larger than {what}: PCA has at most {limit} components")


def _check_dim(got: int, expected: int) -> None:
    if got != expected:
        raise ValueError(f"X has {got} features but the PCA was fitted on {expected}")
