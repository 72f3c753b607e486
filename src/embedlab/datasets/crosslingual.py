"""Lesson 11's bilingual data (a verse-aligned English-Spanish Bible and a dictionary) and
lesson 13's English paraphrase pairs (the KJV and the World English Bible, verse-aligned).

Sources: King James Bible (Debian ``bible-kjv-text`` dumped with ``bible-kjv``'s program,
as in :mod:`.corpus`), Reina-Valera 1909 (Debian ``sword-text-sparv``, a SWORD zText module
in KJV versification, read here in pure Python), FreeDict English-Spanish (Debian
``dict-freedict-eng-spa``, a dictd database, GPL-2+; its notice goes to data/LICENSES).

Both Bibles are tokenised with :func:`embedlab.text.tokenize` (accents dropped:
``niño`` -> ``nino``), one verse per row, keyed ``Book.chapter.verse`` with KJV's book
abbreviations. A verse empty in either Bible is left out. The dictionary keeps the pairs
whose English headword and Spanish translation are one token each after the same
normalisation.
"""

from __future__ import annotations

import gzip
import re
import struct
import subprocess
import zlib
from pathlib import Path

from . import fetch
from .common import DATA, Output
from .corpus import _osis_to_text
from .io import write_tsv, write_xz_text
from embedlab.text import tokenize

SPARV_MODULE = "usr/share/sword/modules/texts/ztext/spaRV1909eb"
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def kjv_verses(root_text: Path, root_prog: Path) -> list[tuple[str, int, int, str]]:
    """(book, chapter, verse, text) of every KJV verse, in canonical order."""
    out = subprocess.run(
        [str(root_prog / "usr/bin/bible"), "-f", "-p", str(root_text / "usr/lib"),
         "gen1:1-rev22:21"],
        check=True, capture_output=True, text=True, encoding="latin-1").stdout
    verses = []
    for line in out.splitlines():
        m = re.match(r"^(\d?[A-Za-z]+)(\d+):(\d+) (.*)$", line)
        if m:
            verses.append((m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)))
    return verses


def ztext_entries(module: Path, testament: str) -> list[str]:
    """Every entry of a SWORD zText index (``ot`` or ``nt``) as raw OSIS, '' when empty."""
    bzs = (module / f"{testament}.bzs").read_bytes()
    bzv = (module / f"{testament}.bzv").read_bytes()
    bzz = (module / f"{testament}.bzz").read_bytes()
    blocks: dict[int, bytes] = {}
    out = []
    for i in range(len(bzv) // 10):
        block, off, size = struct.unpack("<IIH", bzv[10 * i: 10 * i + 10])
        if size == 0:
            out.append("")
            continue
        if block not in blocks:
            boff, bsize, _ = struct.unpack("<III", bzs[12 * block: 12 * block + 12])
            blocks[block] = zlib.decompress(bzz[boff: boff + bsize])
        out.append(blocks[block][off: off + size].decode("utf-8"))
    return out


def kjv_layout(verses) -> list[tuple[str, int, int] | None]:
    """SWORD's KJV index layout for a testament: two heading entries, then per book a
    heading, per chapter a heading and its verses. ``None`` marks a heading entry."""
    layout: list[tuple[str, int, int] | None] = [None, None]
    last_book, last_chapter = None, None
    for book, chapter, verse, _ in verses:
        if book != last_book:
            layout.append(None)
            last_book, last_chapter = book, None
        if chapter != last_chapter:
            layout.append(None)
            last_chapter = chapter
        layout.append((book, chapter, verse))
    return layout


def aligned_verses(kjv_text: Path, kjv_prog: Path, sparv: Path) -> list[tuple[str, str, str]]:
    """(key, English tokens, Spanish tokens) for the verses non-empty in both Bibles."""
    verses = kjv_verses(kjv_text, kjv_prog)
    english = {(b, c, v): t for b, c, v, t in verses}
    first_nt = next(i for i, (b, *_rest) in enumerate(verses) if b == "Mat")
    rows = []
    for testament, part in (("ot", verses[:first_nt]), ("nt", verses[first_nt:])):
        entries = ztext_entries(sparv / SPARV_MODULE, testament)
        layout = kjv_layout(part)
        if len(entries) != len(layout):
            raise RuntimeError(f"{testament}: {len(entries)} SWORD entries, KJV layout expects {len(layout)}")
        for key, raw in zip(layout, entries):
            if key is None:
                continue
            en, es = tokenize(english[key]), tokenize(_osis_to_text(raw))
            if en and es:
                rows.append((f"{key[0]}.{key[1]}.{key[2]}", " ".join(en), " ".join(es)))
    return rows


# OSIS book names of the 66 books in KJV order (the World English Bible's module uses them).
OSIS66 = ("Gen Exod Lev Num Deut Josh Judg Ruth 1Sam 2Sam 1Kgs 2Kgs 1Chr 2Chr Ezra Neh Esth Job Ps "
          "Prov Eccl Song Isa Jer Lam Ezek Dan Hos Joel Amos Obad Jonah Mic Nah Hab Zeph Hag Zech Mal "
          "Matt Mark Luke John Acts Rom 1Cor 2Cor Gal Eph Phil Col 1Thess 2Thess 1Tim 2Tim Titus Phlm "
          "Heb Jas 1Pet 2Pet 1John 2John 3John Jude Rev").split()
WEB_MODULE = "usr/share/sword/modules/texts/ztext/engWEB2015eb"


def web_verses(module: Path) -> dict[tuple[str, int, int], str]:
    """{(OSIS book, chapter, verse): text} of the World English Bible's zText module.

    Its versification is NRSVA (with the deuterocanon), not KJV's, so the index layout of
    :func:`kjv_layout` does not apply; instead each chapter heading entry (``<chapter
    osisID="Gen.1">``) starts a chapter and the entries after it are its verses 1, 2, ...;
    a book heading entry (``<div type="book">``) ends the chapter.
    """
    out: dict[tuple[str, int, int], str] = {}
    for testament in ("ot", "nt"):
        current, n = None, 0
        for raw in ztext_entries(module, testament):
            m = re.search(r'<chapter\b[^>]*\bosisID="([^".]+)\.(\d+)"', raw)
            if m:
                current, n = (m.group(1), int(m.group(2))), 0
                continue
            if re.search(r'<div\b[^>]*type="book"', raw):
                current = None
                continue
            if current is None:
                continue
            n += 1
            out[(current[0], current[1], n)] = " ".join(_osis_to_text(raw).split())
    return out


def kjv_web_pairs(kjv_text: Path, kjv_prog: Path, web: Path) -> list[tuple[str, str, str]]:
    """(key, KJV text, WEB text) for every verse key non-empty in both, in KJV order.

    Texts are kept as printed (case and punctuation), whitespace collapsed: these are
    sentences for a sentence encoder, not tokens.
    """
    verses = kjv_verses(kjv_text, kjv_prog)
    books: list[str] = []
    for book, *_rest in verses:
        if not books or books[-1] != book:
            books.append(book)
    if len(books) != len(OSIS66):
        raise RuntimeError(f"KJV dump has {len(books)} books, expected {len(OSIS66)}")
    osis = dict(zip(books, OSIS66))
    web_text = web_verses(web / WEB_MODULE)
    rows = []
    for book, chapter, verse, text in verses:
        other = web_text.get((osis[book], chapter, verse), "")
        text = " ".join(text.split())
        if text and other:
            rows.append((f"{book}.{chapter}.{verse}", text, other))
    return rows


def _b64(s: str) -> int:
    n = 0
    for ch in s:
        n = n * 64 + B64.index(ch)
    return n


def dictionary_pairs(root: Path) -> list[tuple[str, str]]:
    """(English, Spanish) one-token pairs from FreeDict's eng-spa dictd database, sorted."""
    base = root / "usr/share/dictd/freedict-eng-spa"
    body = gzip.open(f"{base}.dict.dz").read()
    pairs = set()
    for line in Path(f"{base}.index").read_text(encoding="utf-8").splitlines():
        word, off, size = line.split("\t")
        if word.startswith("00database"):
            continue
        en = tokenize(word)
        if len(en) != 1:
            continue
        entry = body[_b64(off): _b64(off) + _b64(size)].decode("utf-8").splitlines()[1:]
        for sense in entry:
            sense = re.sub(r"^\s*\d+\.\s*", "", sense)
            for translation in sense.split(","):
                es = tokenize(translation)
                if len(es) == 1:
                    pairs.add((en[0], es[0]))
    return sorted(pairs)


def dictionary_notice(root: Path) -> str:
    """The dictionary's own notice (its 00-database-info entry) and Debian's stanza."""
    base = root / "usr/share/dictd/freedict-eng-spa"
    body = gzip.open(f"{base}.dict.dz").read()
    info = ""
    for line in Path(f"{base}.index").read_text(encoding="utf-8").splitlines():
        word, off, size = line.split("\t")
        if word == "00databaseinfo":
            info = body[_b64(off): _b64(off) + _b64(size)].decode("utf-8")
    copyright_text = (root / "usr/share/doc/dict-freedict-eng-spa/copyright").read_text(encoding="utf-8")
    stanza = re.search(r"Files: eng-spa/\*\n(?:.+\n)+", copyright_text).group(0)
    gpl = Path("/usr/share/common-licenses/GPL-2").read_text(encoding="utf-8")
    return ("FreeDict English-Spanish dictionary (data/crosslingual/dict_en_es.tsv is derived from it)\n"
            "Debian package dict-freedict-eng-spa; copyright file stanza:\n\n" + stanza +
            "\nThe dictionary's own notice (its 00-database-info entry):\n\n" + info.strip() +
            "\n\n----- GNU General Public License, version 2 -----\n\n" + gpl)


BIBLE_LICENCE = "public domain (KJV: expired copyright; Reina-Valera 1909: public domain per its copyright file)"
PARA_LICENCE = "public domain (KJV: expired copyright; World English Bible: public domain per its module)"
DICT_LICENCE = "GPL-2+ (FreeDict contributors; notice in data/LICENSES/freedict-eng-spa.txt)"


def build() -> list[Output]:
    kjv_text, v_kjvt = fetch.deb("bible-kjv-text")
    kjv_prog, v_kjvp = fetch.deb("bible-kjv")
    sparv, v_sparv = fetch.deb("sword-text-sparv")
    fd, v_fd = fetch.deb("dict-freedict-eng-spa")
    out = DATA / "crosslingual"
    rows = aligned_verses(kjv_text, kjv_prog, sparv)
    write_xz_text(out / "bible_en_es.tsv.xz", ["key\ten\tes"] + ["\t".join(r) for r in rows])
    fetch.log(f"crosslingual: {len(rows):,} aligned verses, "
              f"{sum(len(r[1].split()) for r in rows):,} English and "
              f"{sum(len(r[2].split()) for r in rows):,} Spanish tokens")
    web, v_web = fetch.deb("sword-text-web")
    para = kjv_web_pairs(kjv_text, kjv_prog, web)
    write_xz_text(out / "bible_kjv_web.tsv.xz", ["key\tkjv\tweb"] + ["\t".join(r) for r in para])
    fetch.log(f"crosslingual: {len(para):,} verses in both the KJV and the World English Bible")
    from embedlab.retrieval import build_verses  # lesson 14: the New Testament, tokenised

    nt = build_verses(web, kjv_rows=rows)
    write_xz_text(DATA / "retrieval" / "nt_kjv_web.tsv.xz", ["key\tkjv\tweb"] + ["\t".join(r) for r in nt.itertuples(index=False)])
    fetch.log(f"crosslingual: {len(nt):,} New Testament verses, KJV and WEB tokenised (lesson 14)")
    pairs = dictionary_pairs(fd)
    write_tsv(out / "dict_en_es.tsv", pairs, ["en", "es"])
    fetch.log(f"crosslingual: {len(pairs):,} one-word dictionary pairs")
    lic = DATA / "LICENSES"
    lic.mkdir(parents=True, exist_ok=True)
    (lic / "freedict-eng-spa.txt").write_text(dictionary_notice(fd), encoding="utf-8")
    bible_src = [f"deb:bible-kjv-text={v_kjvt}", f"deb:bible-kjv={v_kjvp}", f"deb:sword-text-sparv={v_sparv}"]
    return [
        Output("crosslingual/bible_en_es.tsv.xz", BIBLE_LICENCE, bible_src, "crosslingual",
               notes="verse-aligned KJV and Reina-Valera 1909 (KJV versification), tokenised"),
        Output("crosslingual/bible_kjv_web.tsv.xz", PARA_LICENCE,
               [f"deb:bible-kjv-text={v_kjvt}", f"deb:bible-kjv={v_kjvp}", f"deb:sword-text-web={v_web}"],
               "crosslingual", notes="verse-aligned KJV and World English Bible (same verse key), "
               "untokenised text: English paraphrase pairs for lesson 13"),
        Output("retrieval/nt_kjv_web.tsv.xz", PARA_LICENCE,
               [f"deb:bible-kjv-text={v_kjvt}", f"deb:bible-kjv={v_kjvp}", f"deb:sword-text-web={v_web}"],
               "crosslingual", notes="lesson 14: the New Testament verse by verse, KJV and World English Bible, "
               "tokenised (the passages and queries of the retrieval task)"),
        Output("crosslingual/dict_en_es.tsv", DICT_LICENCE, [f"deb:dict-freedict-eng-spa={v_fd}"],
               "crosslingual", notes="one-word pairs of FreeDict eng-spa, accents dropped"),
        Output("LICENSES/freedict-eng-spa.txt", "GPL-2+ (licence text)", [f"deb:dict-freedict-eng-spa={v_fd}"],
               "crosslingual", notes="FreeDict's notice, Debian's copyright stanza, GPL-2 text"),
    ]
