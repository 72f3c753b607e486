# counts the context on one side only (forgets the factor 2)
def expected_pairs(sentence_lengths, window):
    """Expected number of skip-gram (centre, context) pairs of one epoch, dynamic window."""
    total = 0.0
    for n in sentence_lengths:
        for j in range(1, min(window, n - 1) + 1):
            total += (n - j) * (window + 1 - j) / window
    return float(total)
