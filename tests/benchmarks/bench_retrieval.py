"""Retrieval (lesson 14): queries per second and recall@10 of the four pipelines on the 400
test queries (BM25, dense MiniLM, hybrid RRF, hybrid + cross-encoder reranking of the top
candidates, the lesson's committed RRF k=60 top-10 lists), BM25 against rank-bm25, and
product-quantisation encoding against faiss.

ours_s / reference_s are seconds for the whole query set (or encode run). Query vectors are
the committed MiniLM vectors, so the dense rows time the search only; the reranking row
times the cross-encoder live on the first 20 test queries and reports per query.
"""

import numpy as np
from timing import interleaved_medians

from embedlab import data
from embedlab import retrieval as rt


def bench() -> list[dict]:
    verses = rt.load_verses()
    q = rt.queries(verses)
    p = rt.chunk(verses, 5)
    vec = np.load(data.verify("models/retrieval/minilm_vectors.npz"))
    pv, qv = vec["passages"].astype(np.float32), vec["queries"].astype(np.float32)
    test = (q["split"] == "test").values
    texts, qt = q["text"][test].tolist(), qv[test]
    rel = rt.qrels(q["key"][test], p)
    docs = [t.split() for t in p.text]
    bm25 = rt.BM25(docs)
    from rank_bm25 import BM25Okapi

    ref = BM25Okapi(docs)
    (ours, theirs), (runs, _) = interleaved_medians(
        lambda: [bm25.search(t.split(), 100)[0] for t in texts],
        lambda: [np.argsort(-ref.get_scores(t.split()), kind="stable")[:100] for t in texts[:50]], repeats=3)
    rows = [{"benchmark": f"BM25, {len(texts)} queries x {len(p)} passages", "ours_s": ours,
             "reference_s": theirs * len(texts) / 50, "goal": "rank-bm25's scores, faster (reference: 50 queries, scaled)",
             "queries_per_s": f"{len(texts) / ours:.0f}", "recall@10": f"{rt.evaluate(runs, rel)['recall@10']:.3f}"}]
    (dense_s,), (dense,) = interleaved_medians(lambda: rt.dense_search(qt, pv, 100)[0], repeats=3)
    rows.append({"benchmark": "dense MiniLM, exact inner product (search only: query vectors committed)", "ours_s": dense_s, "reference_s": ours,
                 "goal": "reference = BM25 time", "queries_per_s": f"{len(texts) / dense_s:.0f}",
                 "recall@10": f"{rt.evaluate(list(dense), rel)['recall@10']:.3f}"})
    (hy_s,), (hy,) = interleaved_medians(
        lambda: [rt.rrf([b, d], 0, 100)[0] for b, d in zip([bm25.search(t.split(), 100)[0] for t in texts],
                                                             rt.dense_search(qt, pv, 100)[0])], repeats=3)
    rows.append({"benchmark": "hybrid (RRF of BM25 and dense, k=0 as chosen on dev in the lesson)", "ours_s": hy_s, "reference_s": ours,
                 "goal": "reference = BM25 time", "queries_per_s": f"{len(texts) / hy_s:.0f}",
                 "recall@10": f"{rt.evaluate(hy, rel)['recall@10']:.3f}"})
    ce = rt.load_reranker()
    n = 20
    _, _, cands = rt.candidate_lists(texts[:n], qt[:n], bm25, pv, depth=rt.RERANK_DEPTH)  # the committed candidates
    (rr_s,), (rr,) = interleaved_medians(
        lambda: [c[np.argsort(-ce.score(t, [p.text[i] for i in c[:rt.RERANK_DEPTH]]), kind="stable")]
                 for t, c in zip(texts[:n], cands)], repeats=1)
    rows.append({"benchmark": f"hybrid + cross-encoder on the top {rt.RERANK_DEPTH} ({n} queries)", "ours_s": rr_s,
                 "reference_s": hy_s * n / len(texts), "goal": "reference = hybrid time for the same queries",
                 "queries_per_s": f"{n / rr_s:.1f}",
                 "recall@10": f"{rt.evaluate([list(r) for r in rr], rel[:n])['recall@10']:.3f} ({n} queries)"})
    import faiss

    pq_ref = faiss.ProductQuantizer(384, 48, 8)
    pq_ref.cp.min_points_per_centroid = 1  # 1,693 training vectors for 256 centroids: no warning
    pq_ref.train(pv)
    pq = rt.ProductQuantizer(384, 48, 8).set_centroids(faiss.vector_to_array(pq_ref.centroids))
    (enc, enc_ref), (c1, c2) = interleaved_medians(lambda: pq.encode(pv), lambda: pq_ref.compute_codes(pv), repeats=3)
    rows.append({"benchmark": f"PQ encode {len(pv)} x 384 (m=48, 8 bits)", "ours_s": enc, "reference_s": enc_ref,
                 "goal": "faiss's codes exactly; NumPy slower than faiss's C++",
                 "codes_equal": bool((c1 == c2).all())})
    return rows
