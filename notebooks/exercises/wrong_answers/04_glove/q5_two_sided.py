# compares absolute values, a two-sided test, while WEAT's p-value is one-sided
def weat_exact_p_value(s, n_x):
    from itertools import combinations

    s = np.asarray(s, dtype=float)
    total = s.sum()
    observed = 2 * s[:n_x].sum() - total
    splits = np.array(list(combinations(range(len(s)), n_x)))
    statistics = 2 * s[splits].sum(axis=1) - total
    return float(np.mean(np.abs(statistics) >= abs(observed) - 1e-12))
