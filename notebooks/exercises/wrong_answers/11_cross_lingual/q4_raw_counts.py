# picks the target word that co-occurs most often (frequent words like 'de' win), not the highest Dice
def dice_seed(source_lines, target_lines, min_count):
    if len(source_lines) != len(target_lines):
        raise ValueError("the lists must be aligned")
    from collections import Counter

    c_s, c_st = Counter(), Counter()
    for src, tgt in zip(source_lines, target_lines):
        S, T = set(src.split()), set(tgt.split())
        c_s.update(S)
        c_st.update((s, t) for s in S for t in T)
    best = {}
    for (s, t), n in c_st.items():
        if c_s[s] < min_count:
            continue
        if s not in best or n > best[s][0] or (n == best[s][0] and t < best[s][1]):
            best[s] = (n, t)
    return {s: t for s, (_, t) in best.items()}
