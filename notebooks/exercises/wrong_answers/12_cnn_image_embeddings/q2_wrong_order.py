# multiplies the Jacobians in the order of the list (J_1 J_2 ... J_L): block 1 would act last
def stack_jacobian(jacobians, residual):
    M = np.eye(np.asarray(jacobians[0]).shape[0])
    for J in jacobians:
        J = np.asarray(J, dtype=float)
        M = M @ ((np.eye(len(J)) + J) if residual else J)
    return M
