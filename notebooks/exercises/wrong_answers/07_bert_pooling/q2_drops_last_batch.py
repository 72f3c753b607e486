# off by one: the last, smaller batch is dropped from the count
def padding_fraction(lengths, batch_size, sort=False):
    lengths = np.asarray(lengths)
    if sort:
        lengths = np.sort(lengths)[::-1]
    starts = range(0, len(lengths) - batch_size + 1, batch_size) if len(lengths) >= batch_size else [0]
    batches = [lengths[i:i + batch_size] for i in starts]
    real = sum(b.sum() for b in batches)
    return float(1 - real / sum(len(b) * b.max() for b in batches))
