"""Run by the scratch venv's python (which has ``rdata``): dump janeaustenr's texts.

Usage: python _austen_dump.py <janeaustenr package dir> <out.json>
Reads the R lazy-load database data/Rdata.{rdx,rdb} and writes {book: [lines]}.
"""

import gzip
import json
import sys
import warnings
import zlib

import rdata

warnings.simplefilter("ignore")


def main(pkg: str, out: str) -> None:
    base = f"{pkg}/data/Rdata"
    with open(base + ".rdx", "rb") as f:
        idx = rdata.conversion.convert(rdata.parser.parse_data(gzip.decompress(f.read())))
    with open(base + ".rdb", "rb") as f:
        rdb = f.read()
    books = {}
    for name, (off, length) in idx["variables"].items():
        blob = rdb[int(off) : int(off) + int(length)]
        obj = rdata.conversion.convert(rdata.parser.parse_data(zlib.decompress(blob[4:])))
        books[str(name)] = [str(x) for x in obj]
    with open(out, "w", encoding="utf-8") as f:
        json.dump(books, f, ensure_ascii=False, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
