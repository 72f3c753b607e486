# de-duplicates with a dict keyed by word, so a word repeated in a sentence is counted at one position only
def cooccurrence_counts(sentences, window):
    counts = {}
    for sentence in sentences:
        position = {w: i for i, w in enumerate(sentence)}
        for a, i in position.items():
            for b, j in position.items():
                d = abs(i - j)
                if 1 <= d <= window:
                    counts[a, b] = counts.get((a, b), 0.0) + 1 / d
    return counts
