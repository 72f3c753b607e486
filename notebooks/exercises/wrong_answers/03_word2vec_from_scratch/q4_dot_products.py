# uses dot products of the raw vectors instead of cosines (no normalisation)
def analogy_3cosmul(wv, a, b, c):
    """The word d maximising cos'(d,b) cos'(d,c) / (cos'(d,a) + 0.001), excluding a, b, c."""
    vectors = np.asarray(wv.vectors, dtype=float)
    rows = [wv.index[w] for w in (a, b, c)]
    cos_a, cos_b, cos_c = ((1 + vectors @ vectors[r]) / 2 for r in rows)
    scores = cos_b * cos_c / (cos_a + 1e-3)
    scores[rows] = -np.inf
    return wv.words[int(np.argmax(scores))]
