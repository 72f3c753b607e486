# counts the splits at most as large as the observed one (the wrong tail)
def weat_exact_p_value(s, n_x):
    from itertools import combinations

    s = np.asarray(s, dtype=float)
    total = s.sum()
    observed = 2 * s[:n_x].sum() - total
    splits = np.array(list(combinations(range(len(s)), n_x)))
    statistics = 2 * s[splits].sum(axis=1) - total
    return float(np.mean(statistics <= observed + 1e-12))
