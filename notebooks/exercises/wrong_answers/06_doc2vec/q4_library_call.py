# uses scikit-learn's KNeighborsClassifier with leave-one-out, which the rule forbids
from sklearn.model_selection import LeaveOneOut, LeaveOneGroupOut, cross_val_score
from sklearn.neighbors import KNeighborsClassifier


def nn_accuracy(X, labels, groups=None):
    cv = LeaveOneOut() if groups is None else LeaveOneGroupOut()
    knn = KNeighborsClassifier(n_neighbors=1, metric="cosine")
    return float(cross_val_score(knn, np.asarray(X), np.asarray(labels), cv=cv, groups=groups).mean())


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
