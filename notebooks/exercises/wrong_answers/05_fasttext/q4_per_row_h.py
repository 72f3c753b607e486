# evaluates the loss at each row z_i instead of at the mean h
def grad_rows(rows, u_pos, u_neg):
    rows = np.asarray(rows, dtype=float)
    sig = lambda x: 1 / (1 + np.exp(-x))
    return np.array([((sig(z @ u_pos) - 1) * u_pos + sig(u_neg @ z) @ u_neg) / len(rows) for z in rows])
