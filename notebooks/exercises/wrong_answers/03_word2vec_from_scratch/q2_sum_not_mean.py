# scores with the sum of the context vectors instead of their mean
def cbow_loss_and_grads(V_context, u_pos, u_neg):
    """Negative-sampling loss of CBOW and dL/dv_j for each row of V_context."""
    V_context = np.asarray(V_context, dtype=float)
    h = V_context.sum(axis=0)
    s_pos, s_neg = u_pos @ h, u_neg @ h
    loss = np.logaddexp(0, -s_pos) + np.logaddexp(0, s_neg).sum()
    grad_h = (1 / (1 + np.exp(-s_pos)) - 1) * u_pos + (1 / (1 + np.exp(-s_neg))) @ u_neg
    return float(loss), np.tile(grad_h, (len(V_context), 1))
