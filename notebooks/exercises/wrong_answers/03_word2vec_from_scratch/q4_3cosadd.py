# 3CosAdd (cos(d,b) - cos(d,a) + cos(d,c)) instead of 3CosMul
def analogy_3cosmul(wv, a, b, c):
    """The word d maximising cos'(d,b) cos'(d,c) / (cos'(d,a) + 0.001), excluding a, b, c."""
    unit = wv.unit_vectors
    rows = [wv.index[w] for w in (a, b, c)]
    cos_a, cos_b, cos_c = (unit @ unit[r] for r in rows)
    scores = cos_b - cos_a + cos_c
    scores[rows] = -np.inf
    return wv.words[int(np.argmax(scores))]
