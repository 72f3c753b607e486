"""Tests of embedlab.clip: the contrastive loss, the encoders, training and evaluation."""

import math

import numpy as np
import pytest
import torch

from embedlab import clip


def direct_loss(image, text, temperature):
    """The symmetric InfoNCE loss written out with loops over pairs (no cross_entropy)."""
    image = image / image.norm(dim=1, keepdim=True)
    text = text / text.norm(dim=1, keepdim=True)
    n = len(image)
    total = 0.0
    for i in range(n):
        sims_row = [float(image[i] @ text[j]) / temperature for j in range(n)]  # image i vs every text
        sims_col = [float(image[j] @ text[i]) / temperature for j in range(n)]  # text i vs every image
        total += -sims_row[i] + math.log(sum(math.exp(s) for s in sims_row))
        total += -sims_col[i] + math.log(sum(math.exp(s) for s in sims_col))
    return total / (2 * n)


def test_loss_equals_direct_computation():
    g = torch.Generator().manual_seed(1)
    image, text = torch.randn(7, 5, generator=g), torch.randn(7, 5, generator=g)
    for temperature in (0.07, 0.5, 2.0):
        assert float(clip.clip_loss(image, text, temperature)) == pytest.approx(direct_loss(image, text, temperature),
                                                                                rel=1e-5)


def test_loss_is_symmetric_in_images_and_texts():
    g = torch.Generator().manual_seed(2)
    image, text = torch.randn(6, 4, generator=g), torch.randn(6, 4, generator=g)
    assert float(clip.clip_loss(image, text, 0.1)) == pytest.approx(float(clip.clip_loss(text, image, 0.1)), rel=1e-6)
    # and not just constant: swapping the pairing changes it
    assert float(clip.clip_loss(image, text.flip(0), 0.1)) != pytest.approx(float(clip.clip_loss(image, text, 0.1)))


def test_aligned_pairs_at_low_temperature_have_near_zero_loss():
    features = torch.eye(8)  # orthogonal unit vectors: pair i matches only itself
    assert float(clip.clip_loss(features, features, 0.01)) < 1e-6
    # random pairings at the same temperature are far from zero
    assert float(clip.clip_loss(features, features.roll(1, 0), 0.01)) > 10


def test_loss_gradient_reaches_the_temperature():
    t = torch.tensor(0.1, requires_grad=True)
    clip.clip_loss(torch.randn(4, 3), torch.randn(4, 3), t).backward()
    assert t.grad is not None and torch.isfinite(t.grad)


def test_loss_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="one caption per image"):
        clip.clip_loss(torch.randn(4, 3), torch.randn(5, 3), 0.1)
    with pytest.raises(ValueError, match="empty batch"):
        clip.clip_loss(torch.zeros(0, 3), torch.zeros(0, 3), 0.1)
    with pytest.raises(ValueError, match="dims differ"):
        clip.clip_loss(torch.randn(4, 3), torch.randn(4, 2), 0.1)
    with pytest.raises(ValueError, match="temperature"):
        clip.clip_loss(torch.randn(4, 3), torch.randn(4, 3), 0.0)


def test_encoder_shapes():
    images = np.random.default_rng(0).integers(0, 256, size=(5, 64, 64, 3), dtype=np.uint8)
    x = clip.image_tensor(images)
    assert x.shape == (5, 3, 64, 64) and x.min() >= -1 and x.max() <= 1
    model = clip.CLIP(dim=16, width=8).eval()
    assert model.image_encoder(x).shape == (5, 16)
    image_emb = clip.embed_images(model, images)
    text_emb = clip.embed_texts(model, np.random.default_rng(1).normal(size=(3, 384)))
    assert image_emb.shape == (5, 16) and text_emb.shape == (3, 16)
    np.testing.assert_allclose(np.linalg.norm(image_emb, axis=1), 1, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(text_emb, axis=1), 1, atol=1e-5)
    assert float(model.temperature.detach()) == pytest.approx(0.07)


def test_encoder_bad_inputs():
    model = clip.CLIP(dim=16, width=8)
    with pytest.raises(ValueError, match="image_tensor"):
        model.image_encoder(torch.zeros(2, 64, 64, 3))
    with pytest.raises(ValueError, match="uint8"):
        clip.image_tensor(np.zeros((64, 64, 3), np.uint8))
    with pytest.raises(ValueError, match="384"):
        model.encode_text(torch.zeros(2, 100))


def tiny_data(n=24):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(n, 64, 64, 3), dtype=np.uint8)
    vectors = rng.normal(size=(n, 384)).astype(np.float32)
    return images, vectors


def test_training_is_seeded_and_lowers_the_loss():
    images, vectors = tiny_data()
    a, history = clip.train_clip(images, vectors, epochs=4, batch_size=8, dim=8, width=4, seed=3)
    b, _ = clip.train_clip(images, vectors, epochs=4, batch_size=8, dim=8, width=4, seed=3)
    for (name, pa), pb in zip(a.state_dict().items(), b.state_dict().values()):
        assert torch.equal(pa, pb), f"{name} differs between two runs with one seed"
    assert history["loss"][-1] < history["loss"][0]
    with pytest.raises(ValueError, match="one text vector per image"):
        clip.train_clip(images, vectors[:-1], epochs=1)
    with pytest.raises(ValueError, match="at least one pair"):
        clip.train_clip(images[:0], vectors[:0], epochs=1)


def test_recall_at_k_matches_a_brute_force_count():
    rng = np.random.default_rng(4)
    queries, items = rng.normal(size=(30, 6)), rng.normal(size=(30, 6))
    recall = clip.recall_at_k(queries, items, k=(1, 5, 30))
    top = np.argsort(-(queries @ items.T), axis=1)
    for k in (1, 5):
        assert recall[k] == pytest.approx(np.mean([i in top[i, :k] for i in range(30)]))
    assert recall[30] == 1.0
    unit = items / np.linalg.norm(items, axis=1, keepdims=True)
    assert clip.recall_at_k(unit, unit, k=1)[1] == 1.0  # a unit vector is its own nearest neighbour
    with pytest.raises(ValueError, match="between 1 and 30"):
        clip.recall_at_k(queries, items, k=31)
    with pytest.raises(ValueError, match="matching"):
        clip.recall_at_k(queries, items[:-1])


def test_zero_shot_and_prompt_ensembling():
    model = clip.CLIP(dim=8, width=4).eval()
    rng = np.random.default_rng(5)
    templates = ("a drawing of {}.", "{}")
    names = ["cat", "car"]
    vectors = {t.format(n): rng.normal(size=384).astype(np.float32) for n in names for t in templates}
    classes = clip.prompt_embeddings(model, names, templates, text_vectors=vectors)
    per_prompt = clip.embed_texts(model, np.stack([vectors[t.format("cat")] for t in templates]))
    expected = per_prompt.mean(0) / np.linalg.norm(per_prompt.mean(0))
    np.testing.assert_allclose(classes[0], expected, atol=1e-6)
    assert list(clip.zero_shot_predict(classes[::-1], classes)) == [1, 0]


def test_save_and_load_round_trip(tmp_path):
    model = clip.CLIP(dim=8, width=4).eval()
    clip.save(model, tmp_path, {"zero_shot_accuracy": 0.5})
    loaded, run = clip.load(tmp_path)
    images, _ = tiny_data(3)
    np.testing.assert_array_equal(clip.embed_images(model, images), clip.embed_images(loaded, images))
    assert run["zero_shot_accuracy"] == 0.5 and run["config"] == model.config
    first = (tmp_path / "clip.safetensors").read_bytes()
    clip.save(loaded, tmp_path)
    assert (tmp_path / "clip.safetensors").read_bytes() == first, "saving the same weights must give the same bytes"
    with pytest.raises(FileNotFoundError, match="python -m embedlab.clip train"):
        clip.load(tmp_path / "nowhere")


def test_class_names_and_pair_texts():
    import pandas as pd

    meta = pd.DataFrame({"caption": ["Armadillo", "bat"], "keywords": ["animal", ""]})
    assert clip.pair_texts(meta) == ["Armadillo. animal", "bat"]
    assert clip.class_names(["signs_and_symbols"]) == ["signs and symbols"]


def test_loss_matches_transformers_clip_loss():
    from transformers.models.clip.modeling_clip import image_text_contrastive_loss

    g = torch.Generator().manual_seed(6)
    image, text = torch.randn(9, 6, generator=g), torch.randn(9, 6, generator=g)
    logits_per_text = torch.nn.functional.normalize(text, dim=1) @ torch.nn.functional.normalize(image, dim=1).T / 0.05
    assert torch.allclose(clip.clip_loss(image, text, 0.05), image_text_contrastive_loss(logits_per_text), atol=1e-6)
