# adds the identity once to the product of the plain Jacobians
def stack_jacobian(jacobians, residual):
    d = np.asarray(jacobians[0]).shape[0]
    M = np.eye(d)
    for J in jacobians:
        M = np.asarray(J, dtype=float) @ M
    return M + np.eye(d) if residual else M
