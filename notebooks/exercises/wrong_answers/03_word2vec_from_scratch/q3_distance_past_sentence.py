# sums over distances up to window even when the sentence is shorter
def expected_pairs(sentence_lengths, window):
    """Expected number of skip-gram (centre, context) pairs of one epoch, dynamic window."""
    total = 0.0
    for n in sentence_lengths:
        for j in range(1, window + 1):
            total += 2 * (n - j) * (window + 1 - j) / window
    return float(total)
