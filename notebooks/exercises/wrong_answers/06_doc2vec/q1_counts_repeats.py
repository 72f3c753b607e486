# counts every occurrence of a word for df, not the documents that contain it
def smooth_idf(token_lists):
    vocabulary = sorted({w for doc in token_lists for w in doc})
    position = {w: i for i, w in enumerate(vocabulary)}
    df = np.zeros(len(vocabulary))
    for doc in token_lists:
        for w in doc:
            df[position[w]] += 1
    return vocabulary, np.log((1 + len(token_lists)) / (1 + df)) + 1
