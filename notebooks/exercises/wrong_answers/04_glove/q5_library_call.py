# calls the reference embedlab.bias.weat on made-up vectors to get its p-value
from embedlab import bias
from embedlab.vectors import WordVectors


def weat_exact_p_value(s, n_x):
    s = np.asarray(s, dtype=float)
    words = [f"t{i}" for i in range(len(s))] + ["a1", "a2", "b1", "b2"]
    vectors = np.zeros((len(words), 3))
    vectors[:len(s), 0], vectors[:len(s), 1] = 1.0, s
    vectors[len(s):] = [[0, 1, 0], [0, 1, 1e-9], [1, 0, 0], [1, 0, 1e-9]]
    wv = WordVectors(words, vectors)
    return bias.weat(wv, words[:n_x], words[n_x:len(s)], ["a1", "a2"], ["b1", "b2"], n_permutations=2000).p_value
