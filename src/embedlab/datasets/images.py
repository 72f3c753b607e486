"""Image-text pairs for the CLIP lesson, from OpenClipart 0.18 (public domain).

Debian ``openclipart-png`` gives the pictures (already rasterised), ``openclipart-svg``
the metadata of each (Dublin Core title, description and keywords in the SVG's RDF).

* category = top-level OpenClipart folder (animals, food, people, ...): the label for
  zero-shot evaluation; subcategory = the folder below it, when there is one.
  Folders with fewer than ``MIN_PER_CATEGORY`` images and the abstract ones (special:
  gradients and patterns; unsorted; buttons; logos) are left out; each category keeps at
  most ``MAX_PER_CATEGORY`` images (seeded sample).
* caption = the SVG title, cleaned (``Clipart by NAME - `` prefixes dropped, ``_`` -> space);
  when the title is boilerplate shared by many files ("Part of the Flat Icon Collection
  ...") or empty, the file name is used instead. keywords = the SVG subject keywords minus
  boilerplate (``hash``, ``icons``, hex ids, an author name); at most
  ``MAX_PER_SUBCATEGORY`` images per subfolder (1,378 near-identical stars otherwise).
* image = the PNG composited on white, scaled to fit ``SIZE`` x ``SIZE`` (aspect kept,
  Lanczos), centred; exact pixel duplicates are dropped (first by path wins).
* split: 20 % of each category is "test" (seeded).
"""

from __future__ import annotations

import glob
import hashlib
import html
import re
from collections import Counter
from pathlib import Path

import numpy as np

from . import fetch
from .common import DATA, Output
from .io import write_jsonl_xz, write_npz

SIZE = 64
MIN_PER_CATEGORY = 20
MAX_PER_CATEGORY = 300
MAX_PER_SUBCATEGORY = 100  # keeps e.g. 1,378 near-identical stars from filling "shapes"
TEST_FRACTION = 0.2
SEED = 0
EXCLUDED = {"special", "unsorted", "buttons", "logos"}
BOILERPLATE_KEYWORDS = {"hash", "icons", "icon", "theme", "lemon_theme_icon", "clip art", "clipart",
                        "image", "media", "png", "svg", "public domain", "externalsource"}
GENERIC_TITLE_MIN_COUNT = 4  # a title shared by this many files is boilerplate


def parse_svg_metadata(text: str) -> dict:
    m = re.search(r"<metadata.*?</metadata>", text, re.S)
    md = m.group(0) if m else ""
    work = re.search(r"<cc:Work.*?</cc:Work>", md, re.S)
    w = work.group(0) if work else md

    def field(tag: str) -> str:
        # the work's own element, not the nested agents' <dc:title>
        w2 = re.sub(r"<cc:Agent.*?</cc:Agent>", "", w, flags=re.S)
        f = re.search(rf"<dc:{tag}>(.*?)</dc:{tag}>", w2, re.S)
        return re.sub(r"\s+", " ", html.unescape(f.group(1))).strip() if f else ""

    subj = re.search(r"<dc:subject>(.*?)</dc:subject>", w, re.S)
    kws = re.findall(r"<rdf:li>(.*?)</rdf:li>", subj.group(1), re.S) if subj else []
    kws = [re.sub(r"\s+", " ", html.unescape(k)).strip() for k in kws]
    return {"title": field("title"), "description": field("description"), "keywords": kws}


def clean_title(title: str) -> str:
    t = re.sub(r"^\s*Clipart by [^-]+ - ", "", title)
    t = t.replace("_", " ")
    t = re.sub(r"\s+", " ", t).strip(" -")
    return t


def name_from_file(path: str) -> str:
    stem = Path(path).stem
    stem = re.sub(r"_\d+$", "", stem)  # openclipart's _01 suffixes
    return re.sub(r"\s+", " ", stem.replace("_", " ").replace("-", " ")).strip()


def clean_keywords(kws: list[str]) -> list[str]:
    out = []
    for k in kws:
        k = k.replace("_", " ").strip().lower()
        if (not k or k in BOILERPLATE_KEYWORDS or re.fullmatch(r"0x[0-9a-f]+|\d+|hash\(.*\)", k)
                or "architetto" in k):  # hex ids and an author's name used as a keyword
            continue
        if k not in out:
            out.append(k)
    return out


MAX_PIXELS = 16_000_000  # a few PNGs are huge renders (600 Mpx): skipped


def render(png_path: Path, size: int = SIZE) -> np.ndarray | None:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = None  # we check the size ourselves before decoding
    with Image.open(png_path) as im:
        if im.size[0] * im.size[1] > MAX_PIXELS:
            return None
        im = im.convert("RGBA")
        bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(bg, im).convert("RGB")
        w, h = im.size
        scale = size / max(w, h)
        nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
        im = im.resize((nw, nh), Image.Resampling.LANCZOS, reducing_gap=3.0)
        canvas = Image.new("RGB", (size, size), (255, 255, 255))
        canvas.paste(im, ((size - nw) // 2, (size - nh) // 2))
        return np.asarray(canvas, dtype=np.uint8)


def build() -> list[Output]:
    png_root, v_png = fetch.deb("openclipart-png")
    svg_root, v_svg = fetch.deb("openclipart-svg")
    base_png = png_root / "usr/share/openclipart/png"
    base_svg = svg_root / "usr/share/openclipart/svg"
    items = []
    for svg in sorted(glob.glob(str(base_svg / "**" / "*.svg"), recursive=True)):
        rel = Path(svg).relative_to(base_svg).with_suffix("")
        png = base_png / rel.with_suffix(".png")
        if not png.exists():
            continue
        parts = rel.parts
        meta = parse_svg_metadata(Path(svg).read_text(encoding="utf-8", errors="replace"))
        items.append({"rel": rel.as_posix(), "png": png, "category": parts[0],
                      "subcategory": parts[1] if len(parts) > 2 else "", **meta})
    title_counts = Counter(clean_title(it["title"]).lower() for it in items)
    for it in items:
        t = clean_title(it["title"])
        if not t or title_counts[t.lower()] >= GENERIC_TITLE_MIN_COUNT or t.lower() == it["category"]:
            t = name_from_file(it["rel"])
        it["caption"] = t
        it["kw"] = clean_keywords(it["keywords"])

    by_cat: dict[str, list[dict]] = {}
    for it in items:
        if it["category"] not in EXCLUDED:
            by_cat.setdefault(it["category"], []).append(it)
    rng = np.random.default_rng(SEED)
    images, records = [], []
    seen: set[str] = set()
    for cat in sorted(by_cat):
        members = by_cat[cat]
        if len(members) < MIN_PER_CATEGORY:
            continue
        order = rng.permutation(len(members))
        kept = []
        per_sub: Counter = Counter()
        for i in order:
            if len(kept) >= MAX_PER_CATEGORY:
                break
            it = members[int(i)]
            if it["subcategory"] and per_sub[it["subcategory"]] >= MAX_PER_SUBCATEGORY:
                continue
            img = render(it["png"])
            if img is None:
                continue
            h = hashlib.sha256(img.tobytes()).hexdigest()
            if h in seen:
                continue
            seen.add(h)
            per_sub[it["subcategory"]] += 1
            kept.append((it, img))
        if len(kept) < MIN_PER_CATEGORY:
            fetch.log(f"images: {cat}: only {len(kept)} distinct images, left out")
            continue
        kept.sort(key=lambda x: x[0]["rel"])
        n_test = round(TEST_FRACTION * len(kept))
        test_idx = set(rng.choice(len(kept), n_test, replace=False).tolist())
        for j, (it, img) in enumerate(kept):
            images.append(img)
            records.append({"caption": it["caption"], "category": cat,
                            "subcategory": it["subcategory"], "keywords": " ".join(
                                k.replace(" ", "_") for k in it["kw"]),
                            "description": it["description"],
                            "split": "test" if j in test_idx else "train",
                            "source_id": it["rel"]})
        fetch.log(f"images: {cat}: {len(kept)} (of {len(members)})")
    arr = np.stack(images)
    write_npz(DATA / "images" / "openclipart_64.npz", {"images": arr})
    write_jsonl_xz(DATA / "images" / "openclipart_meta.jsonl.xz", records,
                   ["caption", "category", "subcategory", "keywords", "description", "split",
                    "source_id"])
    fetch.log(f"images: {arr.shape[0]} images, {len(set(r['category'] for r in records))} categories")
    src = [f"deb:openclipart-png={v_png}", f"deb:openclipart-svg={v_svg}", "pip:pillow (rendering)"]
    lic = "public domain (OpenClipart dedication; CC0-like)"
    return [Output("images/openclipart_64.npz", lic, src, "images",
                   notes=f"{SIZE}x{SIZE} RGB on white"),
            Output("images/openclipart_meta.jsonl.xz", lic, src, "images")]
