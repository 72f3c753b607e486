# calls the course's SIF, which the rule forbids
from embedlab import documents


def sif_embed(token_lists, word_vectors, word_prob, a=1e-3):
    return documents.SIF(word_vectors, word_prob, a=a).fit_transform(token_lists)
