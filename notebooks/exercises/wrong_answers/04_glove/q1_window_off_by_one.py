# range(1, window) stops one short: pairs exactly `window` apart are never counted
def cooccurrence_counts(sentences, window):
    counts = {}
    for sentence in sentences:
        for i, a in enumerate(sentence):
            for d in range(1, window):
                if i + d < len(sentence):
                    b = sentence[i + d]
                    counts[a, b] = counts.get((a, b), 0.0) + 1 / d
                    counts[b, a] = counts.get((b, a), 0.0) + 1 / d
    return counts
