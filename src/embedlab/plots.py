"""Figures the lessons share: labelled 2-D scatter plots and similarity heatmaps."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["scatter_labeled", "similarity_heatmap"]


def _axes(ax, figsize):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def scatter_labeled(
    points,
    labels: Sequence[str] | None = None,
    groups: Sequence[str] | None = None,
    ax=None,
    title: str = "",
    xlabel: str = "dimension 1",
    ylabel: str = "dimension 2",
    annotate: bool = True,
    s: float = 30,
):
    """Scatter 2-D points, one colour per group, each point annotated with its label.

    ``groups`` (one per point) become the legend; ``annotate=False`` skips the text,
    which is unreadable for more than a few hundred points.
    """
    points = np.asarray(points, dtype=float)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"points must have shape (n, 2), got {points.shape}")
    for name, seq in (("labels", labels), ("groups", groups)):
        if seq is not None and len(seq) != len(points):
            raise ValueError(f"{name} has {len(seq)} entries for {len(points)} points")
    ax = _axes(ax, (6.4, 5.0))
    if groups is None:
        ax.scatter(points[:, 0], points[:, 1], s=s)
    else:
        for group in dict.fromkeys(groups):  # first-seen order keeps colours stable
            mask = np.array([g == group for g in groups])
            ax.scatter(points[mask, 0], points[mask, 1], s=s, label=str(group))
        ax.legend(loc="best", fontsize=9, frameon=False)
    if labels is not None and annotate:
        for (x, y), text in zip(points, labels):
            ax.annotate(str(text), (x, y), xytext=(3, 3), textcoords="offset points", fontsize=9)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax


def similarity_heatmap(matrix, labels: Sequence[str], ax=None, title: str = "", vmin=None, vmax=None,
                       annotate: bool = True, cbar_label: str = "cosine similarity"):
    """Show a square similarity matrix with labelled rows and columns (values written in cells)."""
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix must be square, got shape {matrix.shape}")
    if len(labels) != len(matrix):
        raise ValueError(f"got {len(labels)} labels for a {len(matrix)}x{len(matrix)} matrix")
    n = len(matrix)
    ax = _axes(ax, (0.55 * n + 2.5, 0.55 * n + 1.5))
    image = ax.imshow(matrix, cmap="viridis", vmin=vmin, vmax=vmax)
    ax.figure.colorbar(image, ax=ax, label=cbar_label, shrink=0.8)
    ax.set_xticks(range(n), labels, rotation=45, ha="right")
    ax.set_yticks(range(n), labels)
    ax.grid(False)
    if annotate and n <= 15:
        middle = np.nanmean(matrix)
        for i in range(n):
            for j in range(n):
                colour = "black" if matrix[i, j] > middle else "white"
                ax.text(j, i, f"{matrix[i, j]:.2f}", ha="center", va="center", fontsize=8, color=colour)
    ax.set_title(title)
    return ax
