# sorts shortest first (np.sort) instead of longest first as bert.encode does
def padding_fraction(lengths, batch_size, sort=False):
    lengths = np.asarray(lengths)
    if sort:
        lengths = np.sort(lengths)
    positions = sum(len(b) * b.max() for b in (lengths[i:i + batch_size] for i in range(0, len(lengths), batch_size)))
    return float(1 - lengths.sum() / positions)
