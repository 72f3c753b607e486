"""embedlab.retrieval: BM25 against rank-bm25, metrics against trec_eval (pytrec_eval),
product quantisation against faiss, RRF against its formula, the vector-database round trip
(qdrant-client in local mode), bad input, the task's splits, and the committed results."""

import math

import numpy as np
import pytest

from embedlab import retrieval as rt


@pytest.fixture(scope="module")
def verses():
    return rt.load_verses()


@pytest.fixture(scope="module")
def passages(verses):
    return rt.chunk(verses, 5)


# ----------------------------------------------------------------------------- BM25
def test_bm25_equals_rank_bm25(verses, passages):
    from rank_bm25 import BM25Okapi

    docs = [t.split() for t in passages.text]
    ours, ref = rt.BM25(docs), BM25Okapi(docs)
    q = rt.queries(verses)
    for text in list(q["text"][:25]) + ["the the and of unto", "jesus wept", "zzzz unknown words"]:
        assert np.abs(ours.scores(text.split()) - ref.get_scores(text.split())).max() < 1e-6


@pytest.mark.parametrize("k1,b", [(1.2, 0.75), (0.9, 0.4), (2.0, 1.0)])
def test_bm25_parameters_and_idf_floor_equal_rank_bm25(k1, b):
    from rank_bm25 import BM25Okapi

    g = np.random.default_rng(3)
    words = [f"w{i}" for i in range(30)]
    docs = [list(g.choice(words, size=g.integers(1, 20), p=np.linspace(1, 0.05, 30) / np.linspace(1, 0.05, 30).sum()))
            for _ in range(60)]
    docs = [d + ["w0"] * (i % 6 != 0) for i, d in enumerate(docs)]  # w0 in most documents: negative idf
    ours, ref = rt.BM25(docs, k1=k1, b=b), BM25Okapi(docs, k1=k1, b=b)
    floored = [w for w in ref.idf if ref.idf[w] == pytest.approx(ref.epsilon * ref.average_idf)]
    assert floored  # the most frequent words fall below zero and get rank-bm25's floor
    for w in floored:
        assert ours.idf[ours.vocab[w]] == pytest.approx(ref.idf[w], abs=1e-12)
    for _ in range(10):
        q = list(g.choice(words, size=4))
        assert np.abs(ours.scores(q) - ref.get_scores(q)).max() < 1e-6


def test_bm25_hand_computed():
    docs = [["a", "b"], ["b", "c", "c"], ["d"]]
    bm = rt.BM25(docs, k1=1.5, b=0.75)
    avgdl = 2.0
    idf_c = math.log(3 - 1 + 0.5) - math.log(1 + 0.5)
    tf = 2
    want = idf_c * tf * 2.5 / (tf + 1.5 * (1 - 0.75 + 0.75 * 3 / avgdl))
    assert bm.scores(["c"])[1] == pytest.approx(want, abs=1e-12)
    assert bm.scores(["c"])[0] == 0 and bm.scores(["c"])[2] == 0


def test_bm25_bad_input():
    bm = rt.BM25([["a", "b"]])
    with pytest.raises(ValueError, match="empty query"):
        bm.scores([])
    with pytest.raises(TypeError, match="list of tokens"):
        bm.scores("a b")
    with pytest.raises(ValueError, match="non-empty list"):
        rt.BM25([])


# ----------------------------------------------------------------------------- metrics
def _random_runs(seed, n=40, n_docs=50):
    g = np.random.default_rng(seed)
    runs = [list(g.permutation(n_docs)[:20]) for _ in range(n)]
    rel = [set(g.choice(n_docs, size=g.integers(1, 4), replace=False).tolist()) for _ in range(n)]
    return runs, rel


@pytest.mark.parametrize("seed", range(3))
def test_metrics_equal_trec_eval(seed):
    import pytrec_eval

    runs, rel = _random_runs(seed)
    qrel = {str(i): {str(d): 1 for d in g} for i, g in enumerate(rel)}
    run = {str(i): {str(d): float(len(r) - j) for j, d in enumerate(r)} for i, r in enumerate(runs)}
    ev = pytrec_eval.RelevanceEvaluator(qrel, {"recall.1,5,10", "recip_rank", "ndcg_cut.10"}).evaluate(run)
    for i, (r, g) in enumerate(zip(runs, rel)):
        e = ev[str(i)]
        assert rt.recall_at_k(r, g, 1) == pytest.approx(e["recall_1"], abs=1e-12)
        assert rt.recall_at_k(r, g, 5) == pytest.approx(e["recall_5"], abs=1e-12)
        assert rt.recall_at_k(r, g, 10) == pytest.approx(e["recall_10"], abs=1e-12)
        assert rt.mrr(r, g) == pytest.approx(e["recip_rank"], abs=1e-12)
        assert rt.ndcg_at_k(r, g, 10) == pytest.approx(e["ndcg_cut_10"], abs=1e-12)


def test_metrics_by_hand():
    assert rt.mrr([5, 3, 9], {9}) == pytest.approx(1 / 3)
    assert rt.ndcg_at_k([5, 3, 9], {3, 9}, 10) == pytest.approx((1 / math.log2(3) + 1 / 2) / (1 + 1 / math.log2(3)))
    assert rt.recall_at_k([1, 2], {2, 7}, 10) == 0.5
    with pytest.raises(ValueError, match="relevant"):
        rt.mrr([1], set())


def test_rrf_formula():
    docs, scores = rt.rrf([[1, 2, 3], [3, 1]], k=60)
    assert list(docs) == [1, 3, 2]
    assert scores[0] == pytest.approx(1 / 61 + 1 / 62)
    assert scores[1] == pytest.approx(1 / 63 + 1 / 61)
    assert scores[2] == pytest.approx(1 / 62)


def test_bootstrap_is_seeded():
    a, b = np.random.default_rng(0).random((2, 100))
    assert rt.bootstrap_difference(a, b, seed=1) == rt.bootstrap_difference(a, b, seed=1)


# ----------------------------------------------------------------------------- quantisation
def test_pq_codes_equal_faiss():
    import faiss

    g = np.random.default_rng(0)
    x = g.standard_normal((3000, 32)).astype(np.float32)
    ref = faiss.ProductQuantizer(32, 4, 8)
    ref.train(x)
    ours = rt.ProductQuantizer(32, 4, 8).set_centroids(faiss.vector_to_array(ref.centroids))
    assert (ours.encode(x) == ref.compute_codes(x)).all()
    assert np.abs(ours.decode(ours.encode(x)) - ref.decode(ref.compute_codes(x))).max() < 1e-6


def test_pq_own_training_close_to_faiss_distortion():
    import faiss

    g = np.random.default_rng(1)
    x = g.standard_normal((3000, 16)).astype(np.float32)
    ref = faiss.ProductQuantizer(16, 4, 4)
    ref.train(x)
    ref_err = float(((x - ref.decode(ref.compute_codes(x))) ** 2).sum(1).mean())
    ours = rt.ProductQuantizer(16, 4, 4).train(x, seed=0)
    assert ours.distortion(x) < 1.05 * ref_err
    assert (rt.ProductQuantizer(16, 4, 4).train(x, seed=0).centroids == ours.centroids).all()


def test_pq_asymmetric_scores_equal_decoded_dot():
    g = np.random.default_rng(2)
    x = g.standard_normal((500, 16)).astype(np.float32)
    pq = rt.ProductQuantizer(16, 4, 4).train(x, iters=5)
    q = g.standard_normal(16).astype(np.float32)
    codes = pq.encode(x)
    assert np.abs(pq.inner_products(q, codes) - pq.decode(codes) @ q).max() < 1e-4


def test_quantisation_bad_input():
    with pytest.raises(ValueError, match="divide"):
        rt.ProductQuantizer(10, 3)
    with pytest.raises(RuntimeError, match="train"):
        rt.ProductQuantizer(8, 2).encode(np.zeros((1, 8)))
    with pytest.raises(ValueError, match="dimension 8"):
        rt.ProductQuantizer(8, 2).train(np.zeros((300, 9)))


def test_int8_and_binary():
    x = np.array([[0.5, -1.0, 0.25, 0.0]], np.float32)
    q, scale = rt.int8_quantize(x)
    assert scale == pytest.approx(1 / 127)
    assert q.tolist() == [[64, -127, 32, 0]]
    bits = rt.binary_quantize(x)
    assert bits.tolist() == [[0b10100000]]
    assert rt.hamming_scores(bits, bits).tolist() == [[8]]


def test_dense_search_wrong_dimension():
    with pytest.raises(ValueError, match="dimension 4"):
        rt.dense_search(np.zeros((1, 3)), np.zeros((5, 4)))
    with pytest.raises(ValueError, match="empty"):
        rt.encode(["  "])


# ----------------------------------------------------------------------------- the task
def test_chunks_cover_every_verse_and_stay_in_chapters(verses):
    for size, stride in [(5, None), (5, 3), (1, None)]:
        p = rt.chunk(verses, size, stride)
        covered = {k for keys in p.verse_keys for k in keys}
        assert covered == set(verses["key"])
        assert all(len({k.rsplit(".", 1)[0] for k in keys}) == 1 for keys in p.verse_keys)
        assert max(len(k) for k in p.verse_keys) == size
    with pytest.raises(ValueError, match="stride"):
        rt.chunk(verses, 3, 4)


def test_query_splits_are_disjoint_by_chapter(verses):
    q = rt.queries(verses)
    chap = q["key"].str.rsplit(".", n=1).str[0]
    sets = {s: set(chap[q["split"] == s]) for s in rt.SPLITS}
    assert not (sets["train"] & sets["test"]) and not (sets["dev"] & sets["test"]) and not (sets["train"] & sets["dev"])
    assert (q["text"] != q["kjv"]).all()
    assert q.equals(rt.queries(verses))


def test_committed_vectors_match_the_task(verses, passages):
    from embedlab import data

    v = np.load(data.verify("models/retrieval/minilm_vectors.npz"))
    q = rt.queries(verses)
    assert v["passages"].shape == (len(passages), 384) and v["passages"].dtype == np.float16
    assert list(v["query_keys"]) == list(q["key"])
    live = rt.encode(passages.text[:8])
    assert np.abs(live - v["passages"][:8].astype(np.float32)).max() < 2e-3


# ----------------------------------------------------------------------------- vector database
def test_qdrant_round_trip(tmp_path):
    from qdrant_client import QdrantClient, models

    g = np.random.default_rng(0)
    x = g.standard_normal((200, 8)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    books = ["Mat" if i % 3 else "Mark" for i in range(200)]
    client = QdrantClient(path=str(tmp_path))
    rt.qdrant_collection(client, "t_v1", x, [{"book": b, "chapter": 1} for b in books])
    client.close()
    client = QdrantClient(path=str(tmp_path))  # reopened from disk
    q = g.standard_normal(8).astype(np.float32)
    ids, scores = rt.qdrant_search(client, "t_v1", q, k=5, book="Mark")
    mark = np.array([i for i, b in enumerate(books) if b == "Mark"])
    s = x[mark] @ (q / np.linalg.norm(q))
    assert list(ids) == list(mark[np.argsort(-s)[:5]])
    assert np.allclose(scores, np.sort(s)[::-1][:5], atol=1e-5)
    client.upsert("t_v1", points=[models.PointStruct(id=int(ids[0]), vector=(-q).tolist(), payload={"book": "Mark"})])
    client.delete("t_v1", points_selector=models.PointIdsList(points=[int(ids[1])]))
    ids2, _ = rt.qdrant_search(client, "t_v1", q, k=5, book="Mark")
    assert ids[0] not in ids2 and ids[1] not in ids2 and client.count("t_v1").count == 199
    with pytest.raises(KeyError, match="unknown collection"):
        rt.qdrant_search(client, "nope", q)
    with pytest.raises(ValueError, match="dimension 8"):
        rt.qdrant_search(client, "t_v1", np.zeros(5))
    client.close()


def test_committed_reranker_reproduces_its_scores(verses, passages):
    from embedlab import data

    stored = np.load(data.verify("models/retrieval/rerank_scores.npz"))
    q = rt.queries(verses).set_index("key")
    key = str(stored["keys"][-1])
    ce = rt.load_reranker()
    live = ce.score(q.loc[key, "text"], [passages.text[c] for c in stored["candidates"][-1]])
    assert np.abs(live - stored["scores"][-1]).max() < 5e-3
    with pytest.raises(ValueError, match="empty query"):
        ce.score("  ", passages.text[:2])


def test_cross_encoder_head_is_seeded():
    a, b = rt.CrossEncoder(layers=1, seed=3), rt.CrossEncoder(layers=1, seed=3)
    assert all((a.trainable_state()[k] == b.trainable_state()[k]).all() for k in a.trainable_state())
    with pytest.raises(ValueError, match="layers"):
        rt.CrossEncoder(layers=9)


def test_rrf_ties_depth_and_bad_input():
    docs, scores = rt.rrf([[9], [2]], k=60)  # a tie at 1/61: the smaller id first
    assert list(docs) == [2, 9] and scores[0] == scores[1] == pytest.approx(1 / 61)
    docs, _ = rt.rrf([[3, 5], [7, 5]], k=0.5, depth=2)  # ranks from 1: 5 scores 2/2.5, 3 and 7 score 1/1.5
    assert list(docs) == [5, 3]
    with pytest.raises(ValueError, match="k must be >= 0"):
        rt.rrf([[1]], k=-1)


def test_hamming_rescore_and_qrels_bad_input(passages):
    with pytest.raises(ValueError, match="same width"):
        rt.hamming_scores(np.zeros((1, 2), np.uint8), np.zeros((3, 4), np.uint8))
    with pytest.raises(KeyError, match="in no passage"):
        rt.qrels(["Nope.1.1"], passages)
    d = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], np.float32)
    assert rt.rescore([[1, 2]], np.array([[1.0, 0.0]], np.float32), d, 2).tolist() == [[2, 1]]  # 0.6 > 0
