# centres each speaker's clips with scikit-learn's StandardScaler, which the question rules out
from sklearn.preprocessing import StandardScaler


def speaker_normalise(E, speakers):
    E = np.asarray(E, dtype=float)
    speakers = np.asarray(speakers)
    out = E.copy()
    for s in np.unique(speakers):
        rows = speakers == s
        out[rows] = StandardScaler(with_std=False).fit_transform(E[rows])
    return out
