# the lesson's estimate: (window + 1) pairs per token, ignoring sentence ends
def expected_pairs(sentence_lengths, window):
    """Expected number of skip-gram (centre, context) pairs of one epoch, dynamic window."""
    return float(sum(sentence_lengths) * (window + 1))
