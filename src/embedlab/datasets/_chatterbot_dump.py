"""Run by the scratch venv's python (which has PyYAML + chatterbot-corpus).

Usage: python _chatterbot_dump.py <out.json>
Writes [{"category", "file", "conversation": [turns]}] for the English corpus.
"""

import json
import os
import sys

import chatterbot_corpus
import yaml


def main(out: str) -> None:
    root = os.path.join(os.path.dirname(chatterbot_corpus.__file__), "data", "english")
    records = []
    for name in sorted(os.listdir(root)):
        if not name.endswith(".yml"):
            continue
        with open(os.path.join(root, name), encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        cats = [str(c) for c in doc.get("categories", [])]
        for conv in doc.get("conversations", []):
            records.append({"file": name, "categories": cats,
                            "conversation": [str(t) for t in conv]})
    with open(out, "w", encoding="utf-8") as f:
        json.dump(records, f, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1])
