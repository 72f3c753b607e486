# uses embedlab.bias.neutralize on a two-word table for the neutral part
from embedlab import bias
from embedlab.vectors import WordVectors


def equalize(e, f, g):
    e, f, g = (np.asarray(v, dtype=float) for v in (e, f, g))
    g = g / np.linalg.norm(g)
    mu = (e + f) / 2
    nu = bias.neutralize(WordVectors(["mu"], mu[None, :] / np.linalg.norm(mu)), g)["mu"] * np.linalg.norm(mu)
    height = np.sqrt(max(0.0, 1 - nu @ nu))
    sign = 1.0 if (e - f) @ g >= 0 else -1.0
    return nu + sign * height * g, nu - sign * height * g
