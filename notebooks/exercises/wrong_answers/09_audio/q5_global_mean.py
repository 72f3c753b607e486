# subtracts the mean over all clips instead of each speaker's own mean
def speaker_normalise(E, speakers):
    E = np.asarray(E, dtype=float)
    return E - E.mean(axis=0)
