"""Word-embedding evaluation sets, copied from the gensim wheel with their provenance.

* ``questions-words.txt``: Google's analogy set (Mikolov et al. 2013), verbatim.
* ``wordsim353.tsv``: WordSim-353 (Finkelstein et al. 2002), verbatim.
* ``simlex999.tsv``: SimLex-999 (Hill et al. 2015) from gensim's ``simlex999.txt`` plus the
  ``pos`` column that gensim's copy dropped. The published file lists 111 adjective, then
  666 noun, then 222 verb pairs, in the order gensim keeps; :func:`simlex_with_pos`
  restores the tags from that order and checks them against WordNet's index.
"""

from __future__ import annotations

from pathlib import Path

from . import fetch
from .common import DATA, Output
from .io import write_bytes, write_text

POS_BLOCKS = (("A", 111), ("N", 666), ("V", 222))


def simlex_with_pos(text: str) -> str:
    header = [l for l in text.splitlines() if l.startswith("#")]
    rows = [l.split("\t") for l in text.splitlines() if l.strip() and not l.startswith("#")]
    if len(rows) != sum(n for _, n in POS_BLOCKS):
        raise ValueError(f"expected 999 SimLex pairs, got {len(rows)}")
    tags = [t for t, n in POS_BLOCKS for _ in range(n)]
    out = header[:1] + ["# pos restored from the published order: 111 A, 666 N, 222 V",
                        "# Word 1\tWord 2\tHuman (mean)\tPOS"]
    out += [f"{r[0]}\t{r[1]}\t{r[2]}\t{t}" for r, t in zip(rows, tags)]
    return "\n".join(out) + "\n"


def check_pos_with_wordnet(text: str, wordnet_root: Path) -> float:
    """Fraction of SimLex pairs whose both words exist in WordNet with the given POS."""
    files = {"A": "index.adj", "N": "index.noun", "V": "index.verb"}
    lemmas = {}
    for t, f in files.items():
        lines = (wordnet_root / "usr/share/wordnet" / f).read_text(encoding="latin-1").splitlines()
        lemmas[t] = {l.split(" ", 1)[0] for l in lines if not l.startswith(" ")}
    rows = [l.split("\t") for l in text.splitlines() if l and not l.startswith("#")]
    ok = sum(r[0] in lemmas[r[3]] and r[1] in lemmas[r[3]] for r in rows)
    return ok / len(rows)


def build() -> list[Output]:
    from gensim.test.utils import datapath

    v = fetch.py_package_version("gensim")
    src = [f"pip:gensim={v}"]
    out = DATA / "eval"
    write_bytes(out / "questions-words.txt", Path(datapath("questions-words.txt")).read_bytes())
    write_bytes(out / "wordsim353.tsv", Path(datapath("wordsim353.tsv")).read_bytes())
    simlex = simlex_with_pos(Path(datapath("simlex999.txt")).read_text(encoding="utf-8"))
    wn_root, _ = fetch.deb("wordnet-base")
    frac = check_pos_with_wordnet(simlex, wn_root)
    fetch.log(f"eval: SimLex POS tags consistent with WordNet for {frac:.1%} of pairs")
    if frac < 0.95:
        raise RuntimeError(f"SimLex POS restoration looks wrong ({frac:.1%} consistent)")
    write_text(out / "simlex999.tsv", simlex)
    return [
        Output("eval/questions-words.txt", "Apache-2.0 (word2vec project); redistributed in gensim",
               src, "eval", notes="gensim/test/test_data/questions-words.txt, verbatim"),
        Output("eval/wordsim353.tsv", "free research data set (Finkelstein et al. 2002); "
               "redistributed in gensim", src, "eval",
               notes="gensim/test/test_data/wordsim353.tsv, verbatim"),
        Output("eval/simlex999.tsv", "free research data set (Hill et al. 2015); "
               "redistributed in gensim", src + ["deb:wordnet-base (POS check only)"], "eval",
               notes="gensim/test/test_data/simlex999.txt + POS column"),
    ]
