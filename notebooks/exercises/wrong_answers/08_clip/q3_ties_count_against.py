# counts items scoring >= the true item (itself and ties included) instead of strictly higher
def true_ranks(queries, items):
    scores = np.asarray(queries) @ np.asarray(items).T
    return (scores >= np.diag(scores)[:, None]).sum(axis=1)


median_rank = float(np.median(true_ranks(caption_emb, image_emb)))
