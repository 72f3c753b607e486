"""The verdict of an exercise's tests, decided where the submission cannot reach.

An autograder that runs the tests in the student's kernel takes the student's word for it:
one line in an answer cell (``builtins.abs = lambda x: 0.0``) makes every ``abs(x - y) < tol``
pass. So each submission is graded twice, by two processes in two sandboxes:

* the **student's kernel** runs the notebook as handed in (after nbgrader restored the locked
  cells): its outputs become the feedback page, as in plain nbgrader; then it stays up and
  answers calls to the student's functions (``serve_file``);
* the **verdict process** never runs student code. It executes the exercise's own locked cells
  (set-up and the full test cells, hidden tests included) from the instructor's source, in a
  fresh interpreter. There, each name a question asks for (``cosine_similarity``) is a stand-in:
  calling it sends the arguments to the student's kernel and brings the return value back
  **as data** (numbers, strings, containers, NumPy arrays, torch tensors: decoded here without
  pickle, so nothing the student made can run in this process). Set-up objects (``glove``) are
  sent by name: the kernel uses its own copy.

A question scores only if its test cell passes in both. Whatever a submission does to its own
process (patching builtins, NumPy or ``embedlab``, replacing ``sys.modules`` entries, hiding
errors, faking outputs) changes only the answers its functions return, which the verdict process
checks against references it computed itself. The two sandboxes share nothing but two pipes
relayed by the grader; the instructor's source is visible only to the verdict sandbox.

Not guaranteed: answers are judged on the inputs the tests choose, so a function that
recognises a hidden test's input and returns a memorised answer would pass (it would have to
know the answer); tests cannot see a student function's side effects on its arguments.
"""

from __future__ import annotations

import argparse
import builtins
import contextlib
import io
import json
import os
import struct
import sys
import time
from pathlib import Path

import numpy as np

MAX_FRAME = 512 * 1024**2  # bytes of one message
MAX_DEPTH = 64
_LENGTH = struct.Struct(">Q")
BIT_GENERATORS = {"PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64"}


class StudentError(Exception):
    """An exception raised by student code that is not one of Python's built-in ones."""


class VerdictProtocolError(Exception):
    """The student's side sent something that is not a well-formed answer."""


# --------------------------------------------------------------------------- encoding
def encode(value, setup_names: dict[int, str] | None = None, handles: dict[int, object] | None = None) -> bytes:
    """``value`` as bytes: a JSON tree plus binary blobs for arrays. Objects whose id is in
    ``setup_names`` go by name; other non-data objects become handles when ``handles`` is given
    (the student's side), else a TypeError."""
    blobs: list[bytes] = []

    def blob(data: bytes) -> int:
        blobs.append(data)
        return len(blobs) - 1

    def array_blob(array: np.ndarray) -> int:
        if array.dtype.hasobject:
            raise TypeError("arrays of Python objects cannot be sent; use numbers or strings")
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        return blob(buffer.getvalue())

    def walk(v, depth=0):
        if depth > MAX_DEPTH:
            raise TypeError("data nested too deeply")
        if setup_names and id(v) in setup_names:
            return {"$setup": setup_names[id(v)]}
        if v is None or isinstance(v, (bool, str)) or type(v) in (int, float):
            return v
        if isinstance(v, np.generic):
            return {"$npscalar": array_blob(np.asarray(v))}
        if isinstance(v, (int, float)):  # subclasses (IntEnum, ...): their plain value
            return int(v) if isinstance(v, int) else float(v)
        if isinstance(v, complex):
            return {"$complex": [v.real, v.imag]}
        if isinstance(v, (bytes, bytearray)):
            return {"$bytes": blob(bytes(v))}
        if isinstance(v, np.ndarray) and v.dtype.hasobject:  # e.g. strings from pandas: element by element
            return {"$objarray": [list(v.shape), [walk(x, depth + 1) for x in v.ravel().tolist()]]}
        if isinstance(v, np.ndarray):
            return {"$ndarray": array_blob(np.ascontiguousarray(v))}
        if isinstance(v, list):
            return {"$list": [walk(x, depth + 1) for x in v]}
        if isinstance(v, tuple):
            return {"$tuple": [walk(x, depth + 1) for x in v]}
        if isinstance(v, (set, frozenset)):
            return {"$set": [walk(x, depth + 1) for x in v]}
        if isinstance(v, dict):
            return {"$dict": [[walk(k, depth + 1), walk(x, depth + 1)] for k, x in v.items()]}
        if isinstance(v, np.random.Generator):
            return {"$generator": v.bit_generator.state}
        if type(v).__module__.split(".")[0] == "torch" and hasattr(v, "detach"):
            return {"$tensor": array_blob(v.detach().cpu().numpy())}
        if isinstance(v, BaseException):
            return {"$error": [type(v).__name__, str(v)[:2000]]}
        if handles is not None:
            handles[id(v)] = v
            return {"$handle": id(v), "callable": callable(v), "type": type(v).__name__}
        raise TypeError(f"{type(v).__name__} objects cannot be sent to the student's code; pass data")

    header = json.dumps({"value": walk(value), "blobs": len(blobs)}).encode()
    parts = [_LENGTH.pack(len(header)), header]
    for data in blobs:
        parts += [_LENGTH.pack(len(data)), data]
    return b"".join(parts)


def decode(data: bytes, resolve_setup=None, make_handle=None):
    """The value ``encode`` wrote. Never unpickles; refuses anything malformed."""
    try:
        (size,), offset = _LENGTH.unpack_from(data, 0), _LENGTH.size
        header = json.loads(data[offset:offset + size])
        offset += size
        blobs = []
        for _ in range(int(header["blobs"])):
            (size,) = _LENGTH.unpack_from(data, offset)
            offset += _LENGTH.size
            blobs.append(data[offset:offset + size])
            offset += size
    except (struct.error, ValueError, KeyError, TypeError) as error:
        raise VerdictProtocolError(f"malformed message: {error}") from None

    def array(index):
        return np.load(io.BytesIO(blobs[index]), allow_pickle=False)

    def walk(v, depth=0):
        if depth > MAX_DEPTH:
            raise VerdictProtocolError("data nested too deeply")
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        if isinstance(v, dict) and len(v) >= 1:
            tag = next(iter(v))
            body = v[tag]
            if tag == "$list":
                return [walk(x, depth + 1) for x in body]
            if tag == "$tuple":
                return tuple(walk(x, depth + 1) for x in body)
            if tag == "$set":
                return {walk(x, depth + 1) for x in body}
            if tag == "$dict":
                return {walk(k, depth + 1): walk(x, depth + 1) for k, x in body}
            if tag == "$ndarray":
                return array(body)
            if tag == "$objarray":
                shape, items = body
                result = np.empty(len(items), dtype=object)
                result[:] = [walk(x, depth + 1) for x in items]
                return result.reshape([int(n) for n in shape])
            if tag == "$npscalar":
                return array(body)[()]
            if tag == "$complex":
                return complex(float(body[0]), float(body[1]))
            if tag == "$bytes":
                return bytes(blobs[body])
            if tag == "$tensor":
                import torch

                return torch.from_numpy(array(body).copy())
            if tag == "$generator":
                if body.get("bit_generator") not in BIT_GENERATORS:
                    raise VerdictProtocolError(f"unknown bit generator {str(body.get('bit_generator'))[:40]}")
                generator = np.random.Generator(getattr(np.random, body["bit_generator"])())
                generator.bit_generator.state = body
                return generator
            if tag == "$setup" and resolve_setup is not None:
                return resolve_setup(str(body))
            if tag == "$handle" and make_handle is not None:
                return make_handle(int(body), bool(v.get("callable")), str(v.get("type", "object")))
            if tag == "$error":
                return _exception(str(body[0]), str(body[1]))
        raise VerdictProtocolError(f"unexpected data in an answer: {str(v)[:100]}")

    try:
        return walk(header["value"])
    except VerdictProtocolError:
        raise
    except Exception as error:  # noqa: BLE001 - anything malformed is the sender's fault
        raise VerdictProtocolError(f"malformed message: {type(error).__name__}: {error}") from None


def _exception(name: str, message: str) -> Exception:
    """The student's exception as the same built-in class (so ``except ValueError`` works)."""
    cls = getattr(builtins, name, None)
    if isinstance(cls, type) and issubclass(cls, Exception) and cls.__module__ == "builtins":
        try:
            return cls(message)
        except Exception:  # noqa: BLE001 - exotic constructors (UnicodeError and kin)
            pass
    return StudentError(f"{name}: {message}")


# --------------------------------------------------------------------------- framing
def write_frame(fd: int, payload: bytes) -> None:
    view = memoryview(_LENGTH.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view):]


def read_frame(fd: int) -> bytes | None:
    """One message, or None at end of stream."""
    def read_exactly(n):
        chunks, left = [], n
        while left:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    head = read_exactly(_LENGTH.size)
    if head is None:
        return None
    (size,) = _LENGTH.unpack(head)
    if size > MAX_FRAME:
        raise VerdictProtocolError(f"a message of {size:,} bytes is over the limit of {MAX_FRAME:,}")
    return read_exactly(size)


# --------------------------------------------------------------------------- student's side
_HANDLES: dict[int, object] = {}


def serve_file(namespace: dict, request_path: str, response_path: str) -> None:
    """In the student's kernel: answer the request in ``request_path`` into ``response_path``."""
    def resolve(name):
        return namespace[name]

    try:
        request = decode(Path(request_path).read_bytes(), resolve_setup=resolve)
        op = request["op"]
        if op == "describe":
            answer = {}
            for name in request["names"]:
                if name not in namespace:
                    answer[name] = {"kind": "missing"}
                elif callable(namespace[name]):
                    answer[name] = {"kind": "callable"}
                else:
                    answer[name] = {"kind": "value", "value": namespace[name]}
        elif op == "call":
            target = namespace[request["name"]] if "name" in request else _HANDLES[request["handle"]]
            answer = target(*request["args"], **request["kwargs"])
        elif op == "getattr":
            answer = getattr(_HANDLES[request["handle"]], request["attr"])
        else:
            raise ValueError(f"unknown request {op!r}")
        payload = encode({"ok": answer}, handles=_HANDLES)
    except Exception as error:  # noqa: BLE001 - the student's error goes back as data
        payload = encode({"error": [type(error).__name__, str(error)[:2000]]})
    Path(response_path).write_bytes(payload)


SERVE_CODE = ("__import__('embedlab.course.verdict', fromlist=['serve_file'])"
              ".serve_file(globals(), {request!r}, {response!r})")


# --------------------------------------------------------------------------- verdict's side
class _Link:
    """The verdict process's end of the pipes to the student's kernel."""

    def __init__(self, fd_out: int, fd_in: int):
        self.fd_out, self.fd_in = fd_out, fd_in
        self.setup_names: dict[int, str] = {}
        self.setup_values: dict[str, object] = {}
        self.calls: list[str] = []

    def ask(self, request: dict):
        write_frame(self.fd_out, encode(request, setup_names=self.setup_names))
        frame = read_frame(self.fd_in)
        if frame is None:
            raise StudentError("the submission's kernel stopped answering")
        reply = decode(frame, resolve_setup=self.setup_values.__getitem__, make_handle=self.handle)
        if not isinstance(reply, dict) or not ({"ok", "error"} & reply.keys()):
            raise VerdictProtocolError("the submission's kernel sent a malformed answer")
        if "error" in reply:
            name, message = reply["error"]
            raise _exception(str(name), str(message))
        return reply["ok"]

    def handle(self, number: int, is_callable: bool, type_name: str):
        return _Remote(self, number, type_name) if not is_callable else _RemoteCallable(self, number, type_name)


class _Remote:
    """A non-data value of the student's: attributes and calls go to the kernel."""

    def __init__(self, link: _Link, number: int, type_name: str):
        object.__setattr__(self, "_link", link)
        object.__setattr__(self, "_number", number)
        object.__setattr__(self, "_type", type_name)

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return self._link.ask({"op": "getattr", "handle": self._number, "attr": attr})

    def __repr__(self):
        return f"<student's {self._type} object>"


class _RemoteCallable(_Remote):
    def __call__(self, *args, **kwargs):
        return self._link.ask({"op": "call", "handle": self._number, "args": list(args), "kwargs": kwargs})


class StudentFunction:
    """Stands in for a function the student defined: calls go to the student's kernel."""

    def __init__(self, link: _Link, name: str):
        self._link, self.__embedlab_name__, self.__name__ = link, name, name

    def __call__(self, *args, **kwargs):
        self._link.calls.append(self.__name__)
        return self._link.ask({"op": "call", "name": self.__name__, "args": list(args), "kwargs": kwargs})

    def __repr__(self):
        return f"<student's function {self.__name__}>"


def _cell_role(cell) -> str:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if cell.get("cell_type") != "code":
        return "text"
    if meta.get("solution"):
        return "solution"
    if meta.get("grade"):
        return "test"
    if meta.get("locked"):
        return "setup"
    return "student"


def check(source: Path, student_cells: list[str], out: Path, fd_out: int, fd_in: int) -> dict:
    """Run the exercise's locked cells from ``source`` with stand-ins for the student's names;
    write {grade_id: {"passed", "note"}} to ``out``."""
    import nbformat

    from embedlab.course import checks

    nb = nbformat.read(source, as_version=4)
    link = _Link(fd_out, fd_in)
    checks.STUDENT_CELLS = list(student_cells)
    expected = set()
    for cell in nb.cells:
        if _cell_role(cell) == "solution":
            tree = checks._parse(cell.source)
            expected |= checks._defined_names(tree) if tree else set()
    namespace: dict = {"__name__": "__main__"}
    results: dict[str, dict] = {}
    described = False
    for cell in nb.cells:
        role = _cell_role(cell)
        if role == "setup":
            before = set(namespace)
            _run_cell(cell.source, namespace, "<set-up cell>")
            for name in set(namespace) - before:
                if not name.startswith("_"):
                    link.setup_names[id(namespace[name])] = name
                    link.setup_values[name] = namespace[name]
        elif role == "test":
            grade_id = cell.metadata["nbgrader"]["grade_id"]
            if not described:  # the first test waits for the student's notebook to finish
                described = True
                _install_stand_ins(link, expected - set(link.setup_values), namespace)
            link.calls = []
            start = time.monotonic()
            error = _run_cell(cell.source, namespace, f"<{grade_id}>", catch=True)
            results[grade_id] = {"passed": error is None, "note": error or "",
                                 "calls": sorted(set(link.calls)),
                                 "seconds": round(time.monotonic() - start, 2)}
    report = {"status": "ok", "results": results}
    Path(out).write_text(json.dumps(report))
    return report


def _install_stand_ins(link: _Link, names: set[str], namespace: dict) -> None:
    if not names:
        return
    try:
        described = link.ask({"op": "describe", "names": sorted(names)})
    except Exception:  # noqa: BLE001 - a dead or lying kernel: the student's names stay undefined
        return
    for name in sorted(names):
        entry = described.get(name, {}) if isinstance(described, dict) else {}
        kind = entry.get("kind") if isinstance(entry, dict) else None
        if kind == "callable":
            namespace[name] = StudentFunction(link, name)
        elif kind == "value":
            namespace[name] = entry.get("value")


def _run_cell(source: str, namespace: dict, label: str, catch: bool = False) -> str | None:
    """Execute trusted cell code; with ``catch``, return 'Error: first line' instead of raising."""
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            exec(compile(source, label, "exec"), namespace)  # noqa: S102 - the instructor's cells
    except Exception as error:  # noqa: BLE001
        if not catch:
            raise
        first = (str(error).strip().splitlines() or [""])[0]
        return f"{type(error).__name__}: {first}"[:300].rstrip(": ")
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m embedlab.course.verdict")
    parser.add_argument("source", type=Path, help="the exercise's source notebook (with hidden tests)")
    parser.add_argument("student_cells", type=Path, help="JSON list of the student's code cells")
    parser.add_argument("out", type=Path)
    parser.add_argument("--fds", required=True, help="OUT,IN: pipe to and from the student's kernel")
    args = parser.parse_args(argv)
    fd_out, fd_in = (int(x) for x in args.fds.split(","))
    check(args.source, json.loads(args.student_cells.read_text()), args.out, fd_out, fd_in)
    os.close(fd_out)  # the kernel's side sees the end and stops
    return 0


if __name__ == "__main__":
    sys.exit(main())
