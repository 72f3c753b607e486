"""embedlab.bert: parity with sentence-transformers, pooling on known tensors, the padding bug, errors."""

import numpy as np
import pytest
import torch

import embedlab
from embedlab import bert

embedlab.setup(verbose=False)

LONG = " ".join(f"word{i} and more text" for i in range(300))  # ~1,500 pieces, far past 256
VARIED = [
    "",
    "A man is playing a guitar.",
    "Café crème brûlée, naïve façade — 東京タワー, Москва, emoji 😀.",
    LONG,
    "ok",
    "   leading and trailing spaces   ",
    "The quick brown fox jumps over the lazy dog. " * 10,
]


@pytest.fixture(scope="module")
def reference():
    return bert.load_reference()


# ----------------------------------------------------------------------------- parity
def test_encode_matches_sentence_transformers_on_varied_inputs(reference):
    ours = bert.encode(VARIED, batch_size=3)  # several batches of mixed lengths
    theirs = reference.encode(VARIED, normalize_embeddings=True)
    assert ours.dtype == np.float32 and ours.shape == (len(VARIED), 384)
    assert np.abs(ours - theirs).max() <= 1e-5


@pytest.mark.parametrize("mode", ["cls", "max"])
def test_other_poolings_match_sentence_transformers(reference, mode):
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling

    other = SentenceTransformer(modules=[reference[0], Pooling(384, pooling_mode=mode)], device="cpu")
    ours = bert.encode(VARIED, batch_size=4, pooling=mode, normalize=False)
    assert np.abs(ours - other.encode(VARIED)).max() <= 1e-4


def test_order_and_batching_do_not_change_vectors():
    a = bert.encode(VARIED, batch_size=1, sort_by_length=False)
    b = bert.encode(VARIED, batch_size=64)
    c = bert.encode(VARIED[::-1], batch_size=2)[::-1]
    assert np.abs(a - b).max() <= 1e-5 and np.abs(a - c).max() <= 1e-5


def test_vectors_have_unit_length_only_when_normalized():
    assert np.allclose(np.linalg.norm(bert.encode(VARIED), axis=1), 1.0, atol=1e-5)
    assert not np.allclose(np.linalg.norm(bert.encode(VARIED, normalize=False), axis=1), 1.0, atol=1e-2)


def test_long_text_is_truncated_at_the_model_limit():
    tokenizer, _ = bert.load_minilm()
    assert tokenizer.model_max_length == 256
    pieces = bert.wordpieces(LONG)
    assert len(pieces) == 256 and pieces[0] == "[CLS]" and pieces[-1] == "[SEP]"
    # whatever follows the cut cannot change the vector
    a, b = bert.encode([LONG, LONG + " a completely different ending about penguins"])
    assert np.abs(a - b).max() <= 1e-6


# ----------------------------------------------------------------------------- pooling on known tensors
# two texts, three positions, two dimensions; the second text has one padding position
HIDDEN = torch.tensor([[[1.0, 2.0], [3.0, 4.0], [5.0, 0.0]],
                       [[2.0, 2.0], [4.0, -2.0], [100.0, 100.0]]])
MASK = torch.tensor([[1, 1, 1], [1, 1, 0]])


def test_pooling_functions_on_hand_made_tensors():
    assert torch.equal(bert.cls_pool(HIDDEN), torch.tensor([[1.0, 2.0], [2.0, 2.0]]))
    assert torch.allclose(bert.mean_pool(HIDDEN, MASK), torch.tensor([[3.0, 2.0], [3.0, 0.0]]))
    assert torch.equal(bert.max_pool(HIDDEN, MASK), torch.tensor([[5.0, 4.0], [4.0, 2.0]]))
    # the buggy mean lets the padding vector in: (2 + 4 + 100) / 3
    assert torch.allclose(bert.naive_mean_pool(HIDDEN), torch.tensor([[3.0, 2.0], [106 / 3, 100 / 3]]))


def test_pooling_accepts_numpy_and_boolean_masks():
    got = bert.mean_pool(HIDDEN.numpy(), MASK.numpy().astype(bool))
    assert torch.allclose(got, torch.tensor([[3.0, 2.0], [3.0, 0.0]]))


def test_l2_normalize():
    x = torch.tensor([[3.0, 4.0], [0.0, 0.0], [-1.0, 0.0]])
    assert torch.allclose(bert.l2_normalize(x), torch.tensor([[0.6, 0.8], [0.0, 0.0], [-1.0, 0.0]]))
    assert torch.allclose(bert.l2_normalize(x), torch.nn.functional.normalize(x, dim=-1))


# ----------------------------------------------------------------------------- the padding bug
def test_naive_mean_depends_on_batch_company_and_masked_mean_does_not():
    short = "The cat sat."
    company = "A much longer sentence about the history of the railways in nineteenth-century Britain."
    h_alone, m_alone = bert.hidden_states([short])
    h_batch, m_batch = bert.hidden_states([short, company])
    assert h_batch.shape[1] > h_alone.shape[1], "the company must force padding on the short text"
    naive_gap = (bert.naive_mean_pool(h_alone)[0] - bert.naive_mean_pool(h_batch)[0]).abs().max()
    masked_gap = (bert.mean_pool(h_alone, m_alone)[0] - bert.mean_pool(h_batch, m_batch)[0]).abs().max()
    assert naive_gap > 1e-2
    assert masked_gap < 1e-5
    # and through encode: unsorted batches put the short text next to the long one
    alone = bert.encode([short], pooling="naive_mean")
    together = bert.encode([short, company], pooling="naive_mean", sort_by_length=False)[:1]
    assert np.abs(alone - together).max() > 1e-3


# ----------------------------------------------------------------------------- layers and words
def test_layer_choice():
    _, model = bert.load_minilm()
    n_layers = model.config.num_hidden_layers
    last = bert.encode(VARIED[:3], layer=-1)
    assert np.abs(last - bert.encode(VARIED[:3], layer=n_layers)).max() <= 1e-6
    assert np.abs(last - bert.encode(VARIED[:3], layer=0)).max() > 1e-2


def test_word_in_context_averages_the_word_pieces():
    sentence = "That was unbelievably good."
    tokens, vectors = bert.token_vectors(sentence)
    pieces = [i for i, t in enumerate(tokens) if t in ("un", "##bel", "##ie", "##va", "##bly")]
    assert len(pieces) > 1
    np.testing.assert_allclose(bert.word_in_context(sentence, "Unbelievably"), vectors[pieces].mean(0), atol=1e-6)


def test_the_same_word_gets_different_vectors_in_different_senses():
    river = ["We sat on the bank of the river.", "Fishermen lined the grassy bank of the stream."]
    money = ["I deposited my salary at the bank.", "The bank approved the loan for our house."]
    V = np.array([bert.word_in_context(s, "bank") for s in river + money])
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    S = V @ V.T
    assert S[0, 1] > S[0, 2:].max() and S[2, 3] > S[2, :2].max()


# ----------------------------------------------------------------------------- errors
def test_clear_errors():
    with pytest.raises(ValueError, match="empty"):
        bert.encode([])
    with pytest.raises(TypeError, match="wrap it in a list"):
        bert.encode("a single string")
    with pytest.raises(TypeError, match="item 1 is a int"):
        bert.encode(["fine", 3, None])
    with pytest.raises(ValueError, match="pooling must be one of"):
        bert.encode(["x"], pooling="sum")
    with pytest.raises(ValueError, match="layer must be"):
        bert.encode(["x"], layer=7)
    with pytest.raises(ValueError, match="batch_size"):
        bert.encode(["x"], batch_size=0)
    with pytest.raises(ValueError, match="needs the attention mask"):
        bert.mean_pool(HIDDEN, None)
    with pytest.raises(ValueError, match="mask must have shape"):
        bert.max_pool(HIDDEN, MASK[:, :2])
    with pytest.raises(ValueError, match=r"shape \(batch, tokens, dim\)"):
        bert.cls_pool(HIDDEN[0])
    with pytest.raises(ValueError, match="not at all"):
        bert.word_in_context("The cat sat.", "dog")
    with pytest.raises(ValueError, match="token limit"):
        bert.word_in_context(LONG + " penguin", "penguin")


def test_encode_poolings_equals_one_encode_per_pooling():
    together = bert.encode_poolings(VARIED, ("mean", "max", "cls"), batch_size=4, normalize=False)
    for name, vectors in together.items():
        assert np.abs(vectors - bert.encode(VARIED, batch_size=4, pooling=name, normalize=False)).max() <= 1e-6
    with pytest.raises(ValueError, match="pooling must be one of"):
        bert.encode_poolings(["x"], ("mean", "median"))
