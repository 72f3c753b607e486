# looks at every prediction, whatever k is
def precision_at_k(predictions, gold, k):
    if len(predictions) == 0:
        raise ValueError("empty dictionary")
    hits = [bool(set(p) & set(g)) for p, g in zip(predictions, gold)]
    return float(sum(hits) / len(hits))
