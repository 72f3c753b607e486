"""Tests of embedlab.cnn: EfficientNet-Lite0 with its ImageNet weights, the residual block, embeddings, search scores."""

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from embedlab import cnn


@pytest.fixture(scope="module")
def effnet():
    return cnn.load_efficientnet()


# ---------------------------------------------------------------- pretrained network
def test_weights_checksum_is_verified(monkeypatch):
    path = cnn.efficientnet_weights_path()
    assert path.name == "efficientnet-lite0-57934424.pth"  # the file name carries the start of its sha256
    monkeypatch.setattr(cnn, "EFFICIENTNET_SHA256", "0" * 64)
    with pytest.raises(ValueError, match="sha256"):
        cnn.efficientnet_weights_path()


@pytest.mark.parametrize("photo, label, probability", [("chelsea", "Egyptian cat", 0.80), ("coffee", "espresso", 0.86)])
def test_known_imagenet_prediction_on_bundled_photo(effnet, photo, label, probability):
    from skimage import data as photos

    (top, p), *_ = cnn.predict_imagenet(effnet, getattr(photos, photo)()[None], top=3, size=224)[0]
    assert top == label
    assert p == pytest.approx(probability, abs=0.01)


def test_imagenet_classes():
    names = cnn.imagenet_classes()
    assert len(names) == 1000 and names[0] == "tench" and names[285] == "Egyptian cat" and names[967] == "espresso"


def test_same_padding_matches_tensorflow_rule():
    torch.manual_seed(0)
    for size in (7, 8, 64, 65):
        for k, s in ((3, 1), (3, 2), (5, 2), (5, 1)):
            conv = cnn.SamePadConv2d(2, 3, k, stride=s, bias=False)
            x = torch.randn(1, 2, size, size)
            out = conv(x)
            assert out.shape[-1] == -(-size // s)  # ceil(size / stride)
            total = max((out.shape[-1] - 1) * s + k - size, 0)
            direct = F.conv2d(F.pad(x, [total // 2, total - total // 2] * 2), conv.weight, stride=s)
            assert torch.allclose(out, direct)


def test_efficientnet_state_dict_matches_the_wheel(effnet):
    state = torch.load(cnn.efficientnet_weights_path(), map_location="cpu", weights_only=True)
    ours = effnet.state_dict()
    assert set(ours) == set(state)
    assert sum(p.numel() for p in effnet.parameters()) == pytest.approx(4.65e6, rel=0.01)


def test_embeddings_are_deterministic_and_batch_independent(effnet):
    images = np.random.default_rng(0).integers(0, 256, size=(6, 64, 64, 3), dtype=np.uint8)
    a = cnn.embed(effnet, images)
    b = cnn.embed(effnet, images)
    c = cnn.embed(effnet, images, batch_size=4)
    assert a.shape == (6, 1280) and a.dtype == np.float32
    assert np.array_equal(a, b)
    np.testing.assert_allclose(a, c, atol=1e-4)
    resnet = cnn.ResNet(num_classes=10, in_channels=1).eval()
    gray = images[..., 0]
    assert np.array_equal(cnn.embed(resnet, gray), cnn.embed(resnet, gray))
    assert cnn.embed(resnet, gray).shape == (6, 64)


def test_bad_images_get_clear_errors(effnet):
    good = np.zeros((2, 32, 32, 3), dtype=np.uint8)
    with pytest.raises(TypeError, match="uint8"):
        cnn.embed(effnet, good.astype(np.float32))
    with pytest.raises(ValueError, match=r"\(N, H, W\) or \(N, H, W, 3\)"):
        cnn.embed(effnet, np.zeros((2, 32, 32, 4), dtype=np.uint8))
    with pytest.raises(ValueError, match=r"\(N, H, W\) or \(N, H, W, 3\)"):
        cnn.embed(effnet, np.zeros((32, 32), dtype=np.uint8))
    with pytest.raises(ValueError, match="empty batch"):
        cnn.embed(effnet, good[:0])
    with pytest.raises(TypeError, match="numpy array"):
        cnn.embed(effnet, good.tolist())
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\)"):
        effnet.features(torch.zeros(1, 1, 32, 32))
    with pytest.raises(ValueError, match=r"\(N, 1, H, W\)"):
        cnn.ResNet(in_channels=1).features(torch.zeros(1, 3, 28, 28))


# ------------------------------------------------------------------ residual network
def _bn_eval(x, bn):
    return (x - bn.running_mean.view(1, -1, 1, 1)) / torch.sqrt(bn.running_var.view(1, -1, 1, 1) + bn.eps) \
        * bn.weight.view(1, -1, 1, 1) + bn.bias.view(1, -1, 1, 1)


def _randomise(block):
    g = torch.Generator().manual_seed(3)
    for m in block.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=g, dtype=m.running_mean.dtype) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=g, dtype=m.running_var.dtype) + 0.5)
            m.weight.data.copy_(torch.rand(m.num_features, generator=g, dtype=m.weight.dtype) + 0.5)
            m.bias.data.copy_(torch.randn(m.num_features, generator=g, dtype=m.bias.dtype) * 0.1)


@pytest.mark.parametrize("c_in, c_out, stride", [(4, 4, 1), (4, 6, 2)])
def test_residual_block_output_and_gradient_equal_direct_computation(c_in, c_out, stride):
    torch.manual_seed(0)
    block = cnn.ResidualBlock(c_in, c_out, stride=stride).double().eval()
    _randomise(block)
    x = torch.randn(2, c_in, 8, 8, dtype=torch.float64, requires_grad=True)

    def direct(x):
        h = F.relu(_bn_eval(F.conv2d(x, block.conv1.weight, stride=stride, padding=1), block.bn1))
        h = _bn_eval(F.conv2d(h, block.conv2.weight, padding=1), block.bn2)
        if stride == 1 and c_in == c_out:
            shortcut = x
        else:
            shortcut = _bn_eval(F.conv2d(x, block.shortcut[0].weight, stride=stride), block.shortcut[1])
        return F.relu(h + shortcut)

    y, y_direct = block(x), direct(x)
    assert torch.allclose(y, y_direct, atol=1e-12)
    w = torch.randn_like(y)
    (g,) = torch.autograd.grad((y * w).sum(), x)
    (g_direct,) = torch.autograd.grad((y_direct * w).sum(), x)
    assert torch.allclose(g, g_direct, atol=1e-12)
    # and the gradient against finite differences
    assert torch.autograd.gradcheck(lambda t: block(t), (x.detach().clone().requires_grad_(),), eps=1e-6, atol=1e-6)


def test_identity_shortcut_passes_the_gradient_through():
    """With its residual branch switched off (last batch-norm scale 0), a block is relu(x):
    the gradient reaching x is exactly 1 where x > 0, however deep the stack."""
    torch.manual_seed(0)
    blocks = torch.nn.Sequential(*[cnn.ResidualBlock(3, 3) for _ in range(20)]).eval()
    plain = torch.nn.Sequential(*[cnn.ResidualBlock(3, 3, skip=False) for _ in range(20)]).eval()
    for b in blocks:
        b.bn2.weight.data.zero_()
        b.bn2.bias.data.zero_()
    x = torch.rand(1, 3, 8, 8, requires_grad=True)
    (g,) = torch.autograd.grad(blocks(x).sum(), x)
    assert torch.equal(g, torch.ones_like(g))
    (g_plain,) = torch.autograd.grad(plain(x).sum(), x)
    assert float(g_plain.abs().mean()) < 1e-3 * float(g.abs().mean())


def test_plain_block_has_no_shortcut():
    block = cnn.ResidualBlock(4, 4, skip=False).eval()
    x = torch.randn(1, 4, 6, 6)
    assert torch.equal(block(x), F.relu(block.residual(x)))


def test_resnet_shapes_and_training_reduces_loss():
    torch.manual_seed(0)
    model = cnn.ResNet(num_classes=3, in_channels=1, widths=(4, 8, 8), blocks_per_stage=1)
    x = torch.randn(24, 1, 16, 16)
    y = np.arange(24) % 3
    x[y == 1] += 1.0
    x[y == 2] -= 1.0
    assert model(x).shape == (24, 3) and model.features(x).shape == (24, 8)
    history = cnn.train_classifier(model, x, y, epochs=15, batch_size=8, lr=1e-2, seed=0)
    assert history["loss"][-1] < history["loss"][0]
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        cnn.train_classifier(model, x[:0], y[:0])


def test_committed_resnet_loads_and_classifies_fashion_mnist():
    from embedlab import data

    model, run = cnn.load_resnet()
    X, y, _ = data.load_fashion_mnist("test")
    x = cnn.preprocess(X[:400], size=None, channels=1, normalize="unit")
    with torch.no_grad():
        accuracy = float((model(x).argmax(1).numpy() == y[:400]).mean())
    assert accuracy > 0.8
    assert abs(accuracy - run["test_accuracy"]) < 0.05


# -------------------------------------------------------------------- search scores
def test_precision_at_k_and_r_precision_against_brute_force():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 5))
    y = rng.integers(0, 3, size=30)
    Xn = X / np.linalg.norm(X, axis=1, keepdims=True)
    S = Xn @ Xn.T
    precision, recall = [], []
    for i in range(30):
        others = [j for j in np.argsort(-S[i], kind="stable") if j != i]
        precision.append(np.mean(y[others[:4]] == y[i]))
        r = int(np.sum(y == y[i])) - 1
        recall.append(np.sum(y[others[:r]] == y[i]) / r)
    assert cnn.precision_at_k(X, y, k=4) == pytest.approx(np.mean(precision))
    assert cnn.r_precision(X, y) == pytest.approx(np.mean(recall))
    # perfect clusters score 1
    Z = np.repeat(np.eye(3), 5, axis=0) + 0.01 * rng.normal(size=(15, 3))
    assert cnn.precision_at_k(Z, np.repeat(np.arange(3), 5), k=4) == 1.0
    with pytest.raises(ValueError, match="labels must have shape"):
        cnn.precision_at_k(X, y[:5])
    with pytest.raises(ValueError, match="k must be"):
        cnn.precision_at_k(X, y, k=30)


def test_few_label_split_and_probe():
    y = np.repeat(["a", "b", "c"], 20)
    idx = cnn.few_label_split(y, 5, seed=1)
    assert len(idx) == 15 and all(np.sum(y[idx] == c) == 5 for c in "abc")
    assert np.array_equal(idx, cnn.few_label_split(y, 5, seed=1))
    assert not np.array_equal(idx, cnn.few_label_split(y, 5, seed=2))
    with pytest.raises(ValueError, match="fewer than per_class"):
        cnn.few_label_split(y, 21, seed=0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4)) + np.repeat(np.eye(3, 4) * 4, 20, axis=0)
    probe, C = cnn.fit_probe(X[idx], y[idx])
    assert C in cnn.PROBE_C
    assert (probe.predict(X) == y).mean() > 0.9


def test_row_space_probe_equals_the_full_space_fit():
    """L2-penalised logistic regression's weights lie in the span of the training rows, so the
    probe fitted in RowSpace coordinates predicts as the one fitted on all d features."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(5)
    X = rng.normal(size=(30, 200))
    y = np.repeat([0, 1, 2], 10)
    X[y == 1, :5] += 1.5
    test = rng.normal(size=(40, 200))
    full = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=10000, tol=1e-12)).fit(X, y)
    span = make_pipeline(StandardScaler(), cnn.RowSpace(), LogisticRegression(C=0.1, max_iter=10000, tol=1e-12)).fit(X, y)
    assert span[1].components_.shape == (29, 200)  # 30 centred rows span 29 dimensions
    np.testing.assert_allclose(span.predict_proba(test), full.predict_proba(test), atol=1e-6)


def test_hog_features_match_skimage_on_the_gray_image():
    from skimage.feature import hog

    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, size=(3, 64, 64, 3), dtype=np.uint8)
    got = cnn.hog_features(rgb)
    gray = rgb.astype(np.float64).mean(axis=3)
    want = np.stack([hog(g, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(2, 2)) for g in gray])
    assert got.shape == (3, 7 * 7 * 2 * 2 * 9)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    with pytest.raises(TypeError, match="uint8"):
        cnn.hog_features(rgb.astype(np.float32))


def test_random_efficientnet_is_seeded_and_differs_from_imagenet_weights(effnet):
    a, b, c = cnn.random_efficientnet(0), cnn.random_efficientnet(0), cnn.random_efficientnet(1)
    assert not a.training
    assert torch.equal(a._conv_stem.weight, b._conv_stem.weight)
    assert not torch.equal(a._conv_stem.weight, c._conv_stem.weight)
    assert not torch.allclose(a._conv_stem.weight, effnet._conv_stem.weight)


def test_chance_precision_is_the_mean_of_random_rankings():
    assert cnn.chance_precision(np.array([0, 0, 1])) == pytest.approx(1 / 3)   # 1/2, 1/2 and 0
    rng = np.random.default_rng(3)
    y = rng.integers(0, 4, size=30)
    counts = np.bincount(y)
    assert cnn.chance_precision(y) == pytest.approx((counts * (counts - 1)).sum() / (30 * 29), abs=1e-12)
    # a Monte Carlo of random rankings, precision@5, agrees to sampling error
    others = [np.delete(np.arange(30), i) for i in range(30)]
    sims = [np.mean([(y[rng.permutation(o)[:5]] == y[i]).mean() for i, o in enumerate(others)]) for _ in range(400)]
    assert abs(np.mean(sims) - cnn.chance_precision(y)) < 0.01
    with pytest.raises(ValueError, match="at least 2"):
        cnn.chance_precision(np.array([1]))
