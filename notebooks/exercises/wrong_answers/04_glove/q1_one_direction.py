# counts only the pair (a, b) with b after a, forgetting the symmetric (b, a)
def cooccurrence_counts(sentences, window):
    counts = {}
    for sentence in sentences:
        for i, a in enumerate(sentence):
            for d in range(1, window + 1):
                if i + d < len(sentence):
                    b = sentence[i + d]
                    counts[a, b] = counts.get((a, b), 0.0) + 1 / d
    return counts
