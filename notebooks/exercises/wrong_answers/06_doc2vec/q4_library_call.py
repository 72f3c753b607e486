# takes the cosine similarities from scikit-learn, which the rule forbids
from sklearn.metrics.pairwise import cosine_similarity


def nn_accuracy(X, labels, groups=None):
    labels = np.asarray(labels)
    S = cosine_similarity(np.asarray(X, dtype=float))
    np.fill_diagonal(S, -np.inf)
    if groups is not None:
        groups = np.asarray(groups)
        S[groups[:, None] == groups[None, :]] = -np.inf
    return float((labels[S.argmax(axis=1)] == labels).mean())


vocabulary = sorted({w for doc in tokens for w in doc})
column = {w: i for i, w in enumerate(vocabulary)}
chat_counts = np.zeros((len(tokens), len(vocabulary)))
for d, doc in enumerate(tokens):
    for w in doc:
        chat_counts[d, column[w]] += 1
chat_idf = np.log((1 + len(tokens)) / (1 + (chat_counts > 0).sum(axis=0))) + 1
chat_tfidf = chat_counts * chat_idf
chat_tfidf /= np.linalg.norm(chat_tfidf, axis=1, keepdims=True)
inflation = nn_accuracy(chat_tfidf, labels) - nn_accuracy(chat_tfidf, labels, question_groups)
