# uses sigma(-s) for the noise words instead of sigma(s)
def grad_rows(rows, u_pos, u_neg):
    rows = np.asarray(rows, dtype=float)
    h = rows.mean(0)
    sig = lambda x: 1 / (1 + np.exp(-x))
    grad_h = (sig(h @ u_pos) - 1) * u_pos + sig(-(u_neg @ h)) @ u_neg
    return np.tile(grad_h / len(rows), (len(rows), 1))
