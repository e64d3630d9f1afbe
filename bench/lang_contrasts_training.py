"""How the standard-language contrasts (``warta/data/language_contrasts.tsv``) read *training* text.

The contrasts are hand-written from the written standards; this script is how they were checked on
text of known language that is not the benchmark (``../shared/data``, training splits only):

* UNER Croatian (hr_set) and Serbian Latin-script (sr_set, as a stand-in for Bosnian: the pair's
  Bosnian markers are mostly forms Bosnian shares with Serbian) train sentences, pair bs/hr;
* UNER Slovak (sk_snk), pair cs/sk; UNER Danish (da_ddt), pair da/nb;
* CoNLL-2002 Spanish and SIB-200 Spanish train, pair ca/es; SIB-200 Turkish train, pair az/tr.

For each set it prints the share of sentences whose contrast points to the right language, to the
wrong one, or nowhere (no marker), and the markers that most often point the wrong way (the ones
to reconsider). Run alone: ``uv run python bench/lang_contrasts_training.py``. Pure word
counting, a few seconds.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from warta.enrichment.language import StandardContrast

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"


def _uner(path: Path) -> list[str]:
    prefix = "# text = "
    return [
        line[len(prefix) :]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith(prefix)
    ]


def _conll(path: Path) -> list[str]:
    sentences: list[str] = []
    tokens: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].isdigit():
            tokens.append(parts[1])
        elif tokens:
            sentences.append(" ".join(tokens))
            tokens = []
    return sentences


def _sib(folder: str) -> list[str]:
    lines = (DATA / "topics" / "sib200" / folder / "train.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [line.split("\t", 2)[2] for line in lines if line.count("\t") >= 2]


# (label, loader, pair, the side the text belongs to: +1 first, -1 second)
SETS = [
    (
        "UNER hr_set (Croatian)",
        lambda: _uner(DATA / "training/ner/uner/hr_set/hr_set-ud-train.iob2"),
        ("bs", "hr"),
        -1,
    ),
    (
        "UNER sr_set (Serbian, Latin)",
        lambda: _uner(DATA / "training/ner/uner/sr_set/sr_set-ud-train.iob2"),
        ("bs", "hr"),
        1,
    ),
    (
        "UNER sk_snk (Slovak)",
        lambda: _uner(DATA / "training/ner/uner/sk_snk/sk_snk-ud-train.iob2"),
        ("cs", "sk"),
        -1,
    ),
    (
        "UNER da_ddt (Danish)",
        lambda: _uner(DATA / "training/ner/uner/da_ddt/da_ddt-ud-train.iob2"),
        ("da", "nb"),
        1,
    ),
    (
        "CoNLL-2002 es train",
        lambda: _conll(DATA / "training/ner/conll2002/es/train.conllu"),
        ("ca", "es"),
        -1,
    ),
    ("SIB-200 spa train", lambda: _sib("spa_Latn"), ("ca", "es"), -1),
    ("SIB-200 tur train", lambda: _sib("tur_Latn"), ("az", "tr"), -1),
]


def _wrong_markers(contrast: StandardContrast, text: str, wrong_side: int) -> list[str]:
    """The words of ``text`` that count for ``wrong_side`` (same precedence as the score)."""
    from warta.enrichment.language import _CONTRAST_WORD, CONTRAST_MIN_ENDING_WORD

    out = []
    first_endings, second_endings = contrast.endings
    wrong_endings = first_endings if wrong_side > 0 else second_endings
    other_endings = second_endings if wrong_side > 0 else first_endings
    for w in _CONTRAST_WORD.findall(text[:3000].lower()):
        side = contrast.words.get(w)
        if side is not None:
            if side == wrong_side:
                out.append(w)
            continue
        if len(w) >= CONTRAST_MIN_ENDING_WORD:
            if wrong_endings and w.endswith(wrong_endings):
                out.append("-" + w)
                continue
            if other_endings and w.endswith(other_endings):
                continue
        for pattern, pside in contrast.patterns:
            if pattern.search(w):
                if pside == wrong_side:
                    out.append("~" + w)
                break
    for pattern, pside in contrast.phrases:
        if pside == wrong_side:
            out.extend("«" + m + "»" for m in pattern.findall(text[:3000].lower()))
    return out


def run() -> None:
    from warta.enrichment.language import _contrasts

    if not DATA.is_dir():
        print(f"language contrasts: data not found at {DATA}")
        return
    contrasts = _contrasts()
    for label, load, pair, side in SETS:
        try:
            texts = load()
        except FileNotFoundError:
            print(f"{label}: not found")
            continue
        contrast = contrasts[pair]
        counts: Counter[str] = Counter()
        wrong_words: Counter[str] = Counter()
        for text in texts:
            score = contrast.score(text)
            if score == 0:
                counts["none"] += 1
            elif (score > 0) == (side > 0):
                counts["right"] += 1
            else:
                counts["wrong"] += 1
                wrong_words.update(_wrong_markers(contrast, text, -side))
        n = max(1, len(texts))
        print(
            f"{label:30s} pair {pair[0]}/{pair[1]}: {len(texts)} sentences, right {counts['right'] / n:.3f}, "
            f"wrong {counts['wrong'] / n:.3f}, no marker {counts['none'] / n:.3f}"
        )
        if wrong_words:
            print(
                "    most frequent wrong-way markers: "
                + ", ".join(f"{w} {c}" for w, c in wrong_words.most_common(10))
            )


if __name__ == "__main__":
    run()
