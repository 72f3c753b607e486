# also drops target words seen in fewer than min_count lines (the rule filters source words only)
def dice_seed(source_lines, target_lines, min_count):
    if len(source_lines) != len(target_lines):
        raise ValueError("the lists must be aligned")
    from collections import Counter

    c_s, c_t, c_st = Counter(), Counter(), Counter()
    for src, tgt in zip(source_lines, target_lines):
        S, T = set(src.split()), set(tgt.split())
        c_s.update(S)
        c_t.update(T)
        c_st.update((s, t) for s in S for t in T)
    best = {}
    for (s, t), n in c_st.items():
        if c_s[s] < min_count or c_t[t] < min_count:
            continue
        dice = 2 * n / (c_s[s] + c_t[t])
        if s not in best or dice > best[s][0] or (dice == best[s][0] and t < best[s][1]):
            best[s] = (dice, t)
    return {s: t for s, (_, t) in best.items()}
