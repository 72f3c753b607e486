# gets the median rank from the reference embedlab.clip.recall_at_k (the smallest k with recall >= 1/2)
def true_ranks(queries, items):
    scores = np.asarray(queries) @ np.asarray(items).T
    return 1 + (scores > np.diag(scores)[:, None]).sum(axis=1)


from embedlab import clip
median_rank = float(next(k for k in range(1, len(image_emb) + 1) if clip.recall_at_k(caption_emb, image_emb, k=k)[k] >= 0.5))
