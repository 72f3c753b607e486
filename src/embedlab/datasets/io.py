"""Deterministic writers: the same input gives the same bytes on every run.

* ``.xz``: :mod:`lzma` (no timestamps in the container), preset 9.
* ``.npz``: a zip written by hand with a fixed entry date (``np.savez_compressed``
  stamps the current time into every entry), entries in the given order.
* text/TSV/JSON: UTF-8, ``\\n`` line ends, sorted keys where order is free.
"""

from __future__ import annotations

import io
import json
import lzma
import zipfile
from pathlib import Path

import numpy as np

ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def write_bytes(path: Path, data: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path


def write_xz_text(path: Path, lines) -> Path:
    """Write lines (str, no newline) as UTF-8 text, xz-compressed (preset 9)."""
    text = "".join(line + "\n" for line in lines).encode("utf-8")
    return write_bytes(path, lzma.compress(text, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64,
                                           preset=9))


def write_text(path: Path, text: str) -> Path:
    return write_bytes(path, text.encode("utf-8"))


def write_jsonl_xz(path: Path, records: list[dict], columns: list[str]) -> Path:
    """One JSON object per line, keys in ``columns`` order, xz-compressed."""
    lines = [json.dumps({c: r[c] for c in columns}, ensure_ascii=False) for r in records]
    return write_xz_text(path, lines)


def write_tsv(path: Path, rows: list[tuple], header: list[str]) -> Path:
    def cell(v) -> str:
        s = str(v)
        if "\t" in s or "\n" in s:
            raise ValueError(f"TSV cell contains tab/newline: {s!r}")
        return s

    lines = ["\t".join(header)] + ["\t".join(cell(v) for v in row) for row in rows]
    return write_text(path, "\n".join(lines) + "\n")


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """The bytes of a compressed .npz with fixed entry dates (readable by ``np.load``)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, arr in arrays.items():
            arr = np.asanyarray(arr)
            if arr.dtype == object:
                raise TypeError(f"array {name!r} has dtype object (not loadable without pickle)")
            member = io.BytesIO()
            np.lib.format.write_array(member, arr, allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, member.getvalue(), compresslevel=9)
    return buf.getvalue()


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> Path:
    return write_bytes(path, npz_bytes(arrays))



