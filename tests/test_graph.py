"""embedlab.graph: random walks, DeepWalk through the lesson 03 trainer, spectral embedding."""

import networkx as nx
import numpy as np
import pytest

from embedlab import graph


@pytest.fixture(scope="module")
def karate():
    G = nx.karate_club_graph()
    return G, np.array([G.nodes[n]["club"] for n in G.nodes])


def test_walks_follow_edges_and_have_the_asked_shape(karate):
    G, _ = karate
    walks = graph.random_walks(G, walks_per_node=3, walk_length=12, seed=0)
    assert len(walks) == 3 * G.number_of_nodes()
    assert all(len(w) == 12 for w in walks)
    assert sorted(int(w[0]) for w in walks) == sorted(list(G.nodes) * 3), "every node starts walks_per_node walks"
    for walk in walks:
        for a, b in zip(walk, walk[1:]):
            assert G.has_edge(int(a), int(b)), f"step {a} -> {b} is not an edge"


def test_walks_are_reproducible_with_a_seed(karate):
    G, _ = karate
    assert graph.random_walks(G, seed=3) == graph.random_walks(G, seed=3)
    assert graph.random_walks(G, seed=3) != graph.random_walks(G, seed=4)


def test_a_walk_stops_at_a_node_without_neighbours():
    G = nx.Graph([(0, 1)])
    G.add_node(2)
    walks = graph.random_walks(G, walks_per_node=1, walk_length=5)
    assert ["2"] in walks
    assert all(len(w) == 5 for w in walks if w[0] != "2")


def test_deepwalk_is_deterministic_and_separates_the_two_clubs(karate):
    G, clubs = karate
    X = graph.deepwalk(G, dim=8, seed=0)
    assert X.shape == (G.number_of_nodes(), 8)
    np.testing.assert_array_equal(X, graph.deepwalk(G, dim=8, seed=0))
    # The split of the club is visible in the graph: a classifier on the vectors finds it.
    assert graph.node_classification_accuracy(X, clubs) > 0.8


def test_deepwalk_neighbours_are_closer_than_strangers():
    """Two cliques joined by one edge: nodes of the same clique get similar vectors."""
    G = nx.barbell_graph(8, 0)
    X = graph.deepwalk(G, dim=8, seed=0)
    unit = X / np.linalg.norm(X, axis=1, keepdims=True)
    S = unit @ unit.T
    left, right = np.arange(8), np.arange(8, 16)
    assert S[np.ix_(left, left)].mean() > S[np.ix_(left, right)].mean() + 0.3


def test_spectral_embedding_separates_the_two_clubs(karate):
    G, clubs = karate
    X = graph.spectral_embedding(G, dim=2)
    assert X.shape == (34, 2)
    assert graph.node_classification_accuracy(X, clubs) > 0.8


def test_bad_input_is_explained(karate):
    G, clubs = karate
    with pytest.raises(TypeError, match="networkx graph"):
        graph.random_walks([[0, 1]])
    with pytest.raises(ValueError, match="no nodes"):
        graph.random_walks(nx.Graph())
    with pytest.raises(ValueError, match="walk_length must be a positive integer"):
        graph.random_walks(G, walk_length=0)
    with pytest.raises(ValueError, match="walks_per_node must be a positive integer"):
        graph.deepwalk(G, walks_per_node=2.5)
    with pytest.raises(ValueError, match="smaller than the number of nodes"):
        graph.spectral_embedding(G, dim=34)
    with pytest.raises(ValueError, match=r"shape \(n_nodes=34"):
        graph.node_classification_accuracy(np.zeros((10, 2)), clubs)
