# the course's binary codes and rescoring (ruled out by the question)
def binary_rescore(queries, docs, shortlist, k):
    from embedlab import retrieval
    ham = retrieval.hamming_scores(retrieval.binary_quantize(queries), retrieval.binary_quantize(docs))
    cand = np.argsort(-ham, axis=1, kind="stable")[:, :shortlist]
    return retrieval.rescore(cand, np.asarray(queries, np.float32), np.asarray(docs, np.float32), k)
