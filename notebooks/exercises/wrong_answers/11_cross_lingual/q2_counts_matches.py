# counts every correct translation found, so a word with two right answers counts twice
def precision_at_k(predictions, gold, k):
    if len(predictions) == 0:
        raise ValueError("empty dictionary")
    hits = [len(set(p[:k]) & set(g)) for p, g in zip(predictions, gold)]
    return float(sum(hits) / len(hits))
