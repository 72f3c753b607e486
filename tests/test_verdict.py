"""The verdict process's wire format (embedlab.course.verdict) and the rule checks exercises
call (embedlab.course.checks). Grading end to end is in test_grading.py."""

import io
import os

import numpy as np
import pytest
import torch

from embedlab.course import checks, verdict


def _round_trip(value, **kwargs):
    return verdict.decode(verdict.encode(value, **kwargs), **{k: v for k, v in kwargs.items() if k == "resolve_setup"})


@pytest.mark.parametrize("value", [
    None, True, 0, -7, 2**80, 1.5, float("inf"), "naïve", b"\x00\xff", 3 + 4j,
    [1, [2, "x"]], (1, 2.0), {"a", 3}, {1: "one", "k": [None]},
])
def test_plain_data_round_trips(value):
    assert _round_trip(value) == value
    assert type(_round_trip(value)) is type(value)


def test_arrays_scalars_and_tensors_keep_dtype_shape_and_values():
    array = np.arange(12, dtype=np.float32).reshape(3, 4)
    back = _round_trip(array)
    assert back.dtype == np.float32 and back.shape == (3, 4) and np.array_equal(back, array)
    assert _round_trip(np.float32(0.1)) == np.float32(0.1) and type(_round_trip(np.float32(0.1))) is np.float32
    assert _round_trip(np.array(["a", "bb"])).tolist() == ["a", "bb"]
    tensor = torch.randn(2, 3, requires_grad=True)
    back = _round_trip(tensor)
    assert isinstance(back, torch.Tensor) and torch.equal(back, tensor.detach()) and not back.requires_grad


def test_a_generator_arrives_in_the_same_state():
    generator = np.random.default_rng(5)
    generator.normal(size=3)
    back = _round_trip(generator)
    assert np.array_equal(back.normal(size=4), generator.normal(size=4))


def test_a_generator_message_names_a_known_bit_generator_only():
    header = b'{"value": {"$generator": {"bit_generator": "seed"}}, "blobs": 0}'
    with pytest.raises(verdict.VerdictProtocolError, match="unknown bit generator"):
        verdict.decode(len(header).to_bytes(8, "big") + header)


def test_set_up_objects_go_by_name():
    glove = object()
    data = verdict.encode([glove, 1], setup_names={id(glove): "glove"})
    mine = object()
    assert verdict.decode(data, resolve_setup={"glove": mine}.__getitem__) == [mine, 1]


def test_objects_that_are_not_data_are_refused_or_become_handles():
    with pytest.raises(TypeError, match="cannot be sent"):
        verdict.encode(object())
    with pytest.raises(TypeError, match="cannot be sent"):
        verdict.encode(np.array([object()], dtype=object))
    texts = np.array([["a", "bc"], ["d", None]], dtype=object)  # data inside: element by element
    back = _round_trip(texts)
    assert back.dtype == object and back.shape == (2, 2) and back.tolist() == texts.tolist()
    handles = {}
    thing = object()
    data = verdict.encode({"ok": thing}, handles=handles)
    assert handles[id(thing)] is thing
    back = verdict.decode(data, make_handle=lambda n, c, t: ("handle", n, t))
    assert back == {"ok": ("handle", id(thing), "object")}


def test_malformed_or_pickled_messages_are_refused():
    for bad in (b"", b"\x00" * 8, b"\x00\x00\x00\x00\x00\x00\x00\x02{]"):
        with pytest.raises(verdict.VerdictProtocolError):
            verdict.decode(bad)
    # a pickled object array smuggled in as an array blob: np.load refuses it
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    header = b'{"value": {"$ndarray": 0}, "blobs": 1}'
    blob = buffer.getvalue()
    message = len(header).to_bytes(8, "big") + header + len(blob).to_bytes(8, "big") + blob
    with pytest.raises(verdict.VerdictProtocolError):
        verdict.decode(message)
    # a dict that looks like a tag is data; a real tag without its resolver is refused
    assert verdict.decode(verdict.encode({"$setup": "x"})) == {"$setup": "x"}
    header = b'{"value": {"$setup": "x"}, "blobs": 0}'
    with pytest.raises(verdict.VerdictProtocolError, match="unexpected data"):
        verdict.decode(len(header).to_bytes(8, "big") + header)


def test_student_exceptions_keep_builtin_classes_only():
    assert type(verdict._exception("ValueError", "zero vector")) is ValueError
    assert type(verdict._exception("KeyError", "w")) is KeyError
    for name in ("SystemExit", "KeyboardInterrupt", "MyError", "__import__"):
        assert type(verdict._exception(name, "x")) is verdict.StudentError


def test_frames_cross_a_pipe():
    read_fd, write_fd = os.pipe()
    payload = verdict.encode({"op": "call", "args": [np.ones(3)]})
    verdict.write_frame(write_fd, payload)
    os.close(write_fd)
    assert verdict.read_frame(read_fd) == payload
    assert verdict.read_frame(read_fd) is None  # end of stream
    os.close(read_fd)


# ----------------------------------------------------------------------------- checks
@pytest.mark.parametrize("code, forbidden", [
    ("from embedlab.similarity import cosine\ndef f(a, b):\n    return cosine(a, b)", "embedlab.similarity"),
    ("import embedlab\ndef f(a, b):\n    return embedlab.similarity.cosine(a, b)", "embedlab.similarity"),
    ("import embedlab\ne = embedlab\ndef f(a, b):\n    return e.similarity.cosine(a, b)", "embedlab.similarity"),
    ("def f(x):\n    from sklearn.decomposition import PCA\n    return PCA(2).fit(x)", "sklearn"),
    ("def f(x):\n    import scipy.spatial.distance as d\n    return d.cosine(x, x)", "scipy"),
    ("def f(x):\n    return __import__('sc' + 'ipy')", "scipy"),
    ("import importlib\ndef f(x):\n    return importlib.import_module('scipy')", "scipy"),
    ("import sys\ndef f(x):\n    return sys.modules['scipy']", "scipy"),
    ("def f(v, w):\n    return v.neighbours(w)", ".neighbours"),
    ("from embedlab.bert import mean_pool\ndef f(x, m):\n    return mean_pool(x, m)", ".mean_pool"),
])
def test_forbidden_code_is_found(code, forbidden):
    assert checks.violations([code], [forbidden])


def test_allowed_code_passes_and_helpers_in_other_cells_are_checked():
    numpy_only = "import numpy as np\ndef f(a, b):\n    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))"
    assert checks.violations([numpy_only], ["embedlab.similarity", "scipy", "sklearn"]) == []
    cells = ["import numpy as np", "from scipy.spatial.distance import cosine as helper",
             "def f(a, b):\n    return 1 - helper(a, b)", "x = 3"]
    behind = checks.cells_behind("f", cells)
    assert cells[1] in behind and cells[3] not in behind
    assert checks.violations(behind, ["scipy"])


def test_forbid_names_the_rule_and_the_function():
    checks.STUDENT_CELLS = ["def cosine_similarity(a, b):\n    import scipy\n    return 0.0"]
    try:
        class StandIn:
            __embedlab_name__ = "cosine_similarity"
        with pytest.raises(checks.RuleBroken, match="cosine_similarity must be written without scipy"):
            checks.forbid(StandIn(), "scipy")
        checks.STUDENT_CELLS = ["def cosine_similarity(a, b):\n    return 0.0"]
        checks.forbid(StandIn(), "scipy")  # no error
        with pytest.raises(ValueError, match="at least one forbidden module"):
            checks.forbid(StandIn())
    finally:
        checks.STUDENT_CELLS = None


def test_a_name_from_an_import_brings_only_that_import():
    set_up = "import numpy as np\nimport embedlab\nrng = embedlab.setup(verbose=False)"
    answer = "def f(a):\n    return np.sum(a)"
    assert checks.violations(checks.cells_behind("f", [set_up, answer]), ["embedlab"]) == []
    cheat = "import embedlab.similarity as s\ndef g(a):\n    return s.cosine(a, a)"
    assert checks.violations(checks.cells_behind("g", [set_up, cheat]), ["embedlab.similarity"])


def test_only_the_latest_definition_counts():
    """A rewritten answer is judged on the rewrite (an earlier try stays in the kernel's
    history), and a forbidden redefinition after a clean one is caught; imports stay bound."""
    library = "from scipy.spatial.distance import cosine\ndef f(a, b):\n    return 1 - cosine(a, b)"
    own = "import numpy as np\ndef f(a, b):\n    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))"
    behind = lambda cells: checks.cells_behind("f", checks.latest_definitions(cells))  # noqa: E731
    assert checks.violations(behind([library, own]), ["scipy"]) == []
    assert checks.violations(behind([own, library]), ["scipy"])
    uses_old_import = "def f(a, b):\n    return 1 - cosine(a, b)"
    assert checks.violations(behind([library, uses_old_import]), ["scipy"])
    partly = "def f(a, b):\n    return 0.0\ndef g():\n    return f(1, 2)"
    assert checks.latest_definitions([partly, "def f(a, b):\n    return 1.0"])[0] == "def g():\n    return f(1, 2)"
