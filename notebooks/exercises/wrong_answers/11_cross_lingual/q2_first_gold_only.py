# checks only the first listed translation, so a word with several translations is often missed
def precision_at_k(predictions, gold, k):
    if len(predictions) == 0:
        raise ValueError("empty dictionary")
    hits = [g[0] in p[:k] for p, g in zip(predictions, gold)]
    return float(sum(hits) / len(hits))
