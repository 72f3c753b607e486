# copies the random-permutation formula (count + 1) / (n + 1), which double-counts the observed split when every split is enumerated
def weat_exact_p_value(s, n_x):
    from itertools import combinations

    s = np.asarray(s, dtype=float)
    total = s.sum()
    observed = 2 * s[:n_x].sum() - total
    splits = np.array(list(combinations(range(len(s)), n_x)))
    statistics = 2 * s[splits].sum(axis=1) - total
    return float((np.sum(statistics >= observed - 1e-12) + 1) / (len(splits) + 1))
