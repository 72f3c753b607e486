# joins all sentences into one token stream, so windows run across sentence ends
def cooccurrence_counts(sentences, window):
    tokens = [t for sentence in sentences for t in sentence]
    counts = {}
    for i, a in enumerate(tokens):
        for d in range(1, window + 1):
            if i + d < len(tokens):
                b = tokens[i + d]
                counts[a, b] = counts.get((a, b), 0.0) + 1 / d
                counts[b, a] = counts.get((b, a), 0.0) + 1 / d
    return counts
