# adds the corrections instead of composing the blocks: I + sum of J_l (drops the products of J's)
def stack_jacobian(jacobians, residual):
    d = np.asarray(jacobians[0]).shape[0]
    if residual:
        return np.eye(d) + sum(np.asarray(J, dtype=float) for J in jacobians)
    M = np.eye(d)
    for J in jacobians:
        M = np.asarray(J, dtype=float) @ M
    return M
