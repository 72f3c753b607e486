# counts only splits strictly above the observed statistic, so the observed split itself is left out
def weat_exact_p_value(s, n_x):
    from itertools import combinations

    s = np.asarray(s, dtype=float)
    total = s.sum()
    observed = 2 * s[:n_x].sum() - total
    splits = np.array(list(combinations(range(len(s)), n_x)))
    statistics = 2 * s[splits].sum(axis=1) - total
    return float(np.mean(statistics > observed + 1e-12))
