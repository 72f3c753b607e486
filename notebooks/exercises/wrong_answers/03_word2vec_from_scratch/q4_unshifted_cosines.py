# uses the raw cosines, without shifting them to [0, 1] with (1 + cos) / 2
def analogy_3cosmul(wv, a, b, c):
    """The word d maximising cos'(d,b) cos'(d,c) / (cos'(d,a) + 0.001), excluding a, b, c."""
    unit = wv.unit_vectors
    rows = [wv.index[w] for w in (a, b, c)]
    cos_a, cos_b, cos_c = (unit @ unit[r] for r in rows)
    scores = cos_b * cos_c / (cos_a + 1e-3)
    scores[rows] = -np.inf
    return wv.words[int(np.argmax(scores))]
