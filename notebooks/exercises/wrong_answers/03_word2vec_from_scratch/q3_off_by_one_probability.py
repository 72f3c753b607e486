# uses (window - j) / window for the probability that distance j is inside the radius
def expected_pairs(sentence_lengths, window):
    """Expected number of skip-gram (centre, context) pairs of one epoch, dynamic window."""
    total = 0.0
    for n in sentence_lengths:
        for j in range(1, min(window, n - 1) + 1):
            total += 2 * (n - j) * (window - j) / window
    return float(total)
