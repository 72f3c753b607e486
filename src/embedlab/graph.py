"""Graph embeddings (lesson 10): DeepWalk, checked against spectral embedding.

DeepWalk (Perozzi, Al-Rfou & Skiena 2014) turns a graph into sentences: uniform random
walks, one "word" per visited node. Nodes that appear on the same walks, close together,
get similar vectors from skip-gram, the lesson 03 trainer (:func:`embedlab.word2vec.train`)
used unchanged. Perozzi et al. trained with hierarchical softmax; the course's trainer uses
negative sampling, which makes this DeepWalk node2vec with unbiased walks (p = q = 1).
Spectral embedding (Belkin & Niyogi 2003) gets node coordinates from the
eigenvectors of the graph Laplacian instead; scikit-learn computes it, and the lesson
compares the two on node classification.
"""

from __future__ import annotations

import numpy as np

from embedlab import word2vec

__all__ = ["random_walks", "deepwalk", "spectral_embedding", "node_classification_accuracy"]


def _check_graph(graph):
    import networkx as nx

    if not isinstance(graph, nx.Graph):
        raise TypeError(f"graph must be a networkx graph, got {type(graph).__name__}")
    if graph.number_of_nodes() == 0:
        raise ValueError("the graph has no nodes")


def _positive_int(value, name: str) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def random_walks(graph, walks_per_node: int = 10, walk_length: int = 40, seed: int = 0) -> list[list[str]]:
    """Uniform random walks: ``walks_per_node`` from every node, each ``walk_length`` nodes long.

    Each step moves to a neighbour chosen uniformly (edge weights are ignored, as in
    DeepWalk); a walk that reaches a node without neighbours stops there. Nodes are given
    as strings (``str(node)``), ready for the word2vec trainer. Rounds visit the nodes in a
    shuffled order; the same ``seed`` gives the same walks.
    """
    _check_graph(graph)
    walks_per_node = _positive_int(walks_per_node, "walks_per_node")
    walk_length = _positive_int(walk_length, "walk_length")
    rng = np.random.default_rng(seed)
    nodes = list(graph.nodes)
    neighbours = {node: list(graph.neighbors(node)) for node in nodes}
    walks = []
    for _ in range(walks_per_node):
        for start in rng.permutation(len(nodes)):
            walk = [nodes[start]]
            while len(walk) < walk_length and neighbours[walk[-1]]:
                options = neighbours[walk[-1]]
                walk.append(options[rng.integers(len(options))])
            walks.append([str(node) for node in walk])
    return walks


def deepwalk(graph, dim: int = 16, walks_per_node: int = 10, walk_length: int = 40, window: int = 5,
             epochs: int = 5, seed: int = 0, **word2vec_options) -> np.ndarray:
    """DeepWalk node vectors, ``(n_nodes, dim)``, row ``i`` for ``list(graph.nodes)[i]``.

    :func:`random_walks`, then skip-gram with negative sampling from lesson 03 with every
    node kept (``min_count=1``) and no subsampling (``sample=0``: hubs are not noise
    here). Further keyword arguments go to :func:`embedlab.word2vec.train`.
    """
    walks = random_walks(graph, walks_per_node, walk_length, seed)
    options = {"min_count": 1, "sample": 0.0, **word2vec_options}
    model = word2vec.train(walks, dim=dim, window=window, epochs=epochs, seed=seed, progress=False, **options)
    index = model.vocab.index
    return model.input_vectors[[index[str(node)] for node in graph.nodes]]


def spectral_embedding(graph, dim: int = 16, seed: int = 0) -> np.ndarray:
    """Laplacian eigenmap of the graph (scikit-learn), ``(n_nodes, dim)`` in ``graph.nodes`` order.

    The graph is taken as unweighted; the constant first eigenvector is dropped. scikit-learn
    uses the *normalised* Laplacian ``I - D^{-1/2} A D^{-1/2}`` (its default
    ``norm_laplacian=True``), not ``L = D - A``.
    """
    import networkx as nx
    from sklearn.manifold import spectral_embedding as sk_spectral_embedding

    _check_graph(graph)
    dim = _positive_int(dim, "dim")
    if dim >= graph.number_of_nodes():
        raise ValueError(f"dim={dim} must be smaller than the number of nodes, {graph.number_of_nodes()}")
    # Unweighted, like the walks: an edge is an edge.
    adjacency = nx.to_numpy_array(graph, nodelist=list(graph.nodes), weight=None)
    return sk_spectral_embedding(adjacency, n_components=dim, random_state=seed, drop_first=True)


def node_classification_accuracy(X, labels, n_splits: int = 5, repeats: int = 10, seed: int = 0) -> float:
    """Mean accuracy of logistic regression predicting ``labels`` from node vectors ``X``.

    Repeated stratified ``n_splits``-fold cross-validation (features standardised inside
    each fold): on a graph of a few dozen nodes one split is too noisy to compare methods.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import RepeatedStratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    X, labels = np.asarray(X, dtype=np.float64), np.asarray(labels)
    if X.ndim != 2 or len(X) != len(labels):
        raise ValueError(f"X must have shape (n_nodes={len(labels)}, dim), got {X.shape}")
    folds = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=repeats, random_state=seed)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    with threadpool_limits(1):  # dozens of tiny fits: threads only add overhead (5x here)
        return float(cross_val_score(model, X, labels, cv=folds).mean())
