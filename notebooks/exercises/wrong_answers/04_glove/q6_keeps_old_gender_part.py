# keeps each word's own component along g instead of rescaling it, so the results are not unit vectors
def equalize(e, f, g):
    e, f, g = (np.asarray(v, dtype=float) for v in (e, f, g))
    g = g / np.linalg.norm(g)
    mu = (e + f) / 2
    nu = mu - (mu @ g) * g
    return nu + ((e - mu) @ g) * g, nu + ((f - mu) @ g) * g
