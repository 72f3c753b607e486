# neutralises both words (removes g and renormalises), which makes the pair identical
def equalize(e, f, g):
    e, f, g = (np.asarray(v, dtype=float) for v in (e, f, g))
    g = g / np.linalg.norm(g)
    out = []
    for v in (e, f):
        v = v - (v @ g) * g
        out.append(v / np.linalg.norm(v))
    return out[0], out[1]
