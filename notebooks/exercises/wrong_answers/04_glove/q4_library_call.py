# calls the reference cosine from embedlab.similarity instead of computing cosines
from embedlab import similarity


def weat_effect_size(X, Y, A, B):
    targets = np.vstack([X, Y]).astype(float)
    s = np.array([np.mean([similarity.cosine_similarity(t, a) for a in A])
                  - np.mean([similarity.cosine_similarity(t, b) for b in B]) for t in targets])
    s_x, s_y = s[: len(X)], s[len(X):]
    return float((s_x.mean() - s_y.mean()) / s.std(ddof=1))
