# forgets to exclude the three input words
def analogy_3cosmul(wv, a, b, c):
    """The word d maximising cos'(d,b) cos'(d,c) / (cos'(d,a) + 0.001), excluding a, b, c."""
    unit = wv.unit_vectors
    rows = [wv.index[w] for w in (a, b, c)]
    cos_a, cos_b, cos_c = ((1 + unit @ unit[r]) / 2 for r in rows)
    scores = cos_b * cos_c / (cos_a + 1e-3)
    return wv.words[int(np.argmax(scores))]
