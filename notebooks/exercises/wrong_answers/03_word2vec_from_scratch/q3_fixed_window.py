# counts every pair within the window, forgetting that the radius is random
def expected_pairs(sentence_lengths, window):
    """Expected number of skip-gram (centre, context) pairs of one epoch, dynamic window."""
    total = 0.0
    for n in sentence_lengths:
        for j in range(1, min(window, n - 1) + 1):
            total += 2 * (n - j)
    return float(total)
