# divides the padding by the number of real tokens instead of by all positions
def padding_fraction(lengths, batch_size, sort=False):
    lengths = np.asarray(lengths)
    if sort:
        lengths = np.sort(lengths)[::-1]
    positions = sum(len(b) * b.max() for b in (lengths[i:i + batch_size] for i in range(0, len(lengths), batch_size)))
    return float((positions - lengths.sum()) / lengths.sum())
