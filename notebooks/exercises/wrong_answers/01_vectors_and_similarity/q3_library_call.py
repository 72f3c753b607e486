# uses the table's own similarity method, which the rule forbids
def odd_one_out(vectors_by_word, words):
    if len(words) < 3:
        raise ValueError(f"need at least three words, got {len(words)}")
    means = [np.mean([vectors_by_word.similarity(w, v) for v in words if v != w]) for w in words]
    return words[int(np.argmin(means))]
