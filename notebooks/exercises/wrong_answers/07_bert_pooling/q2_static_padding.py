# pads every batch to the longest text of the whole list, not to the batch's own longest text
def padding_fraction(lengths, batch_size, sort=False):
    lengths = np.asarray(lengths)
    if sort:
        lengths = np.sort(lengths)[::-1]
    positions = len(lengths) * lengths.max()
    return float(1 - lengths.sum() / positions)
