"""Text normalisation, tokenisation and sentence splitting: the rules behind the corpus.

The rules (documented in ``data/README.md``) are deliberately simple so that a learner
can re-derive them:

1. Unicode NFKD, then combining marks are dropped (``café`` -> ``cafe``), typographic
   apostrophes (U+2018, U+2019, U+02BC) become ``'``.
2. Everything is lower-cased.
3. Tokens are the matches of :data:`TOKEN_RE`: runs of ASCII letters with at most one
   inner apostrophe part (``don't``, ``nation's``). Digits, punctuation and hyphens
   separate tokens and are dropped (``well-known`` -> ``well known``, ``1790`` -> nothing).
4. Sentences: prose is split after ``.``, ``!`` or ``?`` (optionally followed by closing
   quotes or brackets) when whitespace and an upper-case letter, quote or digit follow,
   except after a few common abbreviations (``Mr.``, ``Mrs.``, ``St.`` ...). Bible text is
   one verse per line; WordNet is one gloss per line.
5. Lines with fewer than :data:`MIN_TOKENS` tokens are dropped.
"""

from __future__ import annotations

import re
import unicodedata

TOKEN_RE = re.compile(r"[a-z]+(?:'[a-z]+)?")
MIN_TOKENS = 2

_APOSTROPHES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "`": "'"})

ABBREVIATIONS = frozenset(
    "mr mrs ms dr st jr sr messrs mme mlle gen col capt lieut lt sgt gov hon rev prof "
    "no vs etc viz esq ft mt jan feb mar apr jun jul aug sep sept oct nov dec co inc "
    "u.s e.g i.e cf".split()
)

# candidate boundary: terminal punctuation, optional closers, whitespace, then an opener
_BOUNDARY_RE = re.compile(r"([.!?]+[\"'\u201d\u2019)\]]*)(\s+)(?=[\"'\u201c\u2018(\[]*[A-Z0-9])")
_WORD_BEFORE_RE = re.compile(r"([A-Za-z.]+)$")


def normalise(text: str) -> str:
    """NFKD, drop combining marks, unify apostrophes, lower-case."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.translate(_APOSTROPHES).lower()


def tokenize(text: str) -> list[str]:
    """Normalise ``text`` and return its tokens (see the module docstring)."""
    return TOKEN_RE.findall(normalise(text))


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences with a small rule-based splitter (no model)."""
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return []
    out: list[str] = []
    start = 0
    for m in _BOUNDARY_RE.finditer(text):
        end = m.end(1)
        before = text[start : m.start(1)]
        w = _WORD_BEFORE_RE.search(before)
        if m.group(1) == "." and w is not None:
            word = w.group(1).lower().rstrip(".")
            # abbreviations and single initials ("J. Q. Adams") do not end a sentence
            if word in ABBREVIATIONS or len(word) == 1:
                continue
        out.append(text[start:end].strip())
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def sentences_to_lines(sentences) -> list[str]:
    """Tokenize each sentence; keep those with at least MIN_TOKENS tokens, as lines."""
    lines = []
    for s in sentences:
        toks = tokenize(s)
        if len(toks) >= MIN_TOKENS:
            lines.append(" ".join(toks))
    return lines
