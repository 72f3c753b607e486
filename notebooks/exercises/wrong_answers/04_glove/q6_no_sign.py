# always puts the first word on the + side of g, whichever side it was on
def equalize(e, f, g):
    e, f, g = (np.asarray(v, dtype=float) for v in (e, f, g))
    g = g / np.linalg.norm(g)
    mu = (e + f) / 2
    nu = mu - (mu @ g) * g
    height = np.sqrt(max(0.0, 1 - nu @ nu))
    return nu + height * g, nu - height * g
