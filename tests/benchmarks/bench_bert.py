"""MiniLM sentence vectors for 5,000 corpus sentences: embedlab.bert.encode vs SentenceTransformer.encode."""

import itertools

import numpy as np

import embedlab
from embedlab import bert, data
from timing import interleaved_medians

N_SENTENCES = 5_000
BATCH_SIZE = 32  # sentence-transformers' default
REPEATS = 3


def sentences(n: int = N_SENTENCES, seed: int = 0) -> list[str]:
    """A seeded sample of ``n`` sentences of the small corpus (3 or more words), as text."""
    pool = [" ".join(s) for s in itertools.islice(data.iter_corpus("small"), 60_000) if len(s) >= 3]
    rng = np.random.default_rng(seed)
    return [pool[i] for i in sorted(rng.choice(len(pool), n, replace=False))]


def bench() -> list[dict]:
    embedlab.setup(verbose=False)
    texts = sentences()
    tokenizer, model = bert.load_minilm()
    reference = bert.load_reference()
    n_tokens = sum(len(ids) for ids in tokenizer(texts, truncation=True)["input_ids"])
    (ours_s, ref_s), (ours, ref) = interleaved_medians(
        lambda: bert.encode(texts, batch_size=BATCH_SIZE),
        lambda: reference.encode(texts, batch_size=BATCH_SIZE, normalize_embeddings=True), repeats=REPEATS,
    )
    return [{
        "benchmark": f"MiniLM encode, {N_SENTENCES:,} sentences ({n_tokens:,} tokens), batch {BATCH_SIZE}",
        "ours_s": ours_s,
        "reference_s": ref_s,
        "goal": ">= 1 (as fast as sentence-transformers), max abs diff <= 1e-5",
        "max_abs_diff": f"{np.abs(ours - ref).max():.1e}",
        "ours_sentences_per_s": f"{N_SENTENCES / ours_s:,.0f}",
    }]
