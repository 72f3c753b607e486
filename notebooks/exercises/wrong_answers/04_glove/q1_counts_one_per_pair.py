# counts every pair in the window as 1 instead of 1/d (no distance weighting)
def cooccurrence_counts(sentences, window):
    counts = {}
    for sentence in sentences:
        for i, a in enumerate(sentence):
            for d in range(1, window + 1):
                if i + d < len(sentence):
                    b = sentence[i + d]
                    counts[a, b] = counts.get((a, b), 0.0) + 1.0
                    counts[b, a] = counts.get((b, a), 0.0) + 1.0
    return counts
