"""The search curve: recall@10 against queries per second, 1,000 held-out GloVe words
searched among the other 399,000, exact (brute force) against faiss HNSW and IVF.

ours_s = seconds for the 1,000 queries with the index, reference_s = brute force
(embedlab.similarity.top_k), both on one thread. Building the indexes is not in ours_s;
it is in the notes (build_s), with the index's memory.
"""

from embedlab import search
from embedlab.pretrained import load_glove


def bench() -> list[dict]:
    database, queries = search.held_out_queries(load_glove().vectors, n_queries=1000)
    curve = search.search_curve(database, queries, k=10, threads=1)
    brute = curve.iloc[0]
    brute_s = len(queries) / brute["queries_per_s"]
    rows = []
    for _, row in curve.iloc[1:].iterrows():
        rows.append({
            "benchmark": f"top-10 cosine, 1k queries x 399k GloVe, {row['method']} {row['knob']}={row['value']}",
            "ours_s": len(queries) / row["queries_per_s"],
            "reference_s": brute_s,
            "goal": "recall@10 >= 0.9 at >= 10x brute force's queries/s",
            "recall_at_10": f"{row['recall_at_k']:.3f}",
            "queries_per_s": f"{row['queries_per_s']:,.0f} (brute {brute['queries_per_s']:,.0f})",
            "build_s": f"{row['build_s']:.1f}",
            "memory_mb": f"{row['memory_mb']:.0f} (brute {brute['memory_mb']:.0f})",
        })
    return rows
