"""setup(), plots, the offline guard and the environment files."""

import os
import random
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import embedlab  # noqa: E402
from embedlab import plots  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def test_setup_makes_every_rng_repeatable(capsys):
    import torch

    first = embedlab.setup(seed=3)
    draws = (random.random(), np.random.rand(), torch.rand(1).item(), first.random())
    second = embedlab.setup(seed=3)
    assert (random.random(), np.random.rand(), torch.rand(1).item(), second.random()) == draws
    assert torch.get_num_threads() == 2
    assert "numpy" in capsys.readouterr().out
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_setup_sets_a_colour_blind_safe_cycle():
    embedlab.setup(verbose=False)
    colours = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    assert colours[:3] == list(embedlab.OKABE_ITO[:3])


@pytest.mark.parametrize("kwargs", [{"seed": -1}, {"seed": 1.5}, {"threads": 0}])
def test_setup_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError, match="seed|threads"):
        embedlab.setup(verbose=False, **kwargs)


def test_scatter_labeled_draws_one_series_per_group():
    ax = plots.scatter_labeled(np.arange(8.0).reshape(4, 2), labels=list("abcd"),
                               groups=["x", "x", "y", "y"], title="t")
    assert len(ax.collections) == 2
    assert [t.get_text() for t in ax.texts] == list("abcd")
    assert ax.get_title() == "t" and ax.get_xlabel()
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        plots.scatter_labeled(np.ones((3, 3)))
    with pytest.raises(ValueError, match="labels has 2 entries for 3 points"):
        plots.scatter_labeled(np.ones((3, 2)), labels=["a", "b"])


def test_similarity_heatmap_labels_rows_and_cells():
    m = np.array([[1.0, 0.2], [0.2, 1.0]])
    ax = plots.similarity_heatmap(m, ["cat", "dog"], title="h")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cat", "dog"]
    assert "0.20" in [t.get_text() for t in ax.texts]
    with pytest.raises(ValueError, match="square"):
        plots.similarity_heatmap(np.ones((2, 3)), ["a", "b"])
    with pytest.raises(ValueError, match="3 labels"):
        plots.similarity_heatmap(m, ["a", "b", "c"])


def test_offline_guard_refuses_the_network_but_not_loopback():
    code = (
        "import socket\n"
        "try:\n    socket.create_connection(('192.0.2.1', 80), timeout=1)\nexcept OSError as e:\n    print('refused:', e)\n"
        "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(); c = socket.create_connection(s.getsockname()); print('loopback ok')\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT / "tests" / "offline"), EMBEDLAB_OFFLINE="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert "refused: network access is disabled" in out
    assert "loopback ok" in out


def _pins_from_environment_yml() -> list[str]:
    text = (ROOT / "environment.yml").read_text()
    return [m for m in re.findall(r"^\s+- (\S+==\S+)\s*$", text, flags=re.M)]


def test_environment_yml_has_the_same_pins_as_pyproject():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert deps, "pyproject.toml lists no dependencies"
    assert all("==" in d for d in deps), f"unpinned: {[d for d in deps if '==' not in d]}"
    assert sorted(_pins_from_environment_yml()) == sorted(deps)


def test_no_torchaudio_anywhere():
    for name in ("pyproject.toml", "environment.yml"):
        assert "torchaudio" not in (ROOT / name).read_text()
    import importlib.util

    assert importlib.util.find_spec("torchaudio") is None, "torchaudio breaks transformers here"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()
