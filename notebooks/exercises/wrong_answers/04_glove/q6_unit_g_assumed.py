# treats g as a unit vector without normalising it
def equalize(e, f, g):
    e, f, g = (np.asarray(v, dtype=float) for v in (e, f, g))
    mu = (e + f) / 2
    nu = mu - (mu @ g) * g
    height = np.sqrt(max(0.0, 1 - nu @ nu))
    sign = 1.0 if (e - f) @ g >= 0 else -1.0
    return nu + sign * height * g, nu - sign * height * g
