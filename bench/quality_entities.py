"""Entity quality and speed benchmark (prints figures; not a test).

Typed entity-level precision / recall / F1 (conlleval style: exact span and type) over PER, LOC, ORG
on the dev splits in ``../shared/data/ner`` (relative to the repo root), after mapping each tag set
(NERGrit PERSON/PLACE/ORGANISATION, NERP PPL/PLC/IND). Sentences are joined with spaces and run
through the same ``EntityExtractor`` the enricher uses; each predicted mention is projected onto the
gold tokens its characters touch and counts only if that token span and its type match exactly.

Also prints extraction time per ~600-word text (an Indonesian article built from the seed articles,
and English web text from UNER EWT dev) and the sizes of the shipped gazetteer and models.

Run: ``uv run python bench/quality_entities.py``
"""

from __future__ import annotations

import time
from collections import Counter
from importlib import resources
from pathlib import Path

from warta.enrichment.entities import EntityExtractor, get_extractor
from warta.enrichment.entities.corpora import CorpusFormat, read_corpus, spans

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA = REPO_ROOT.parent / "shared" / "data"
SEEDS = REPO_ROOT.parent / "shared" / "seeds"
TYPES = ("PER", "LOC", "ORG")

DEV_SETS: list[tuple[str, str, CorpusFormat, str, float | None]] = [
    # name, path under data, format, language, target F1
    ("idner-news-2k dev", "ner/id_idner-news-2k/dev.txt", "space", "id", 0.75),
    ("UNER EWT dev (en)", "ner/en_uner_ewt/en_ewt-ud-dev.iob2", "uner", "en", 0.75),
    ("NERGrit valid", "ner/id_nergrit/valid.tsv", "tsv", "id", None),
    ("NERP valid (lower-cased)", "ner/id_nerp/valid.tsv", "tsv", "id", None),
]


def evaluate(
    path: Path, fmt: CorpusFormat, lang: str, tagger_only: bool = False
) -> tuple[Counter[str], Counter[str], Counter[str], float, int]:
    """True positives, predicted and gold counts per type, seconds spent extracting, tokens seen.

    ``tagger_only`` lets the tagger decide every name: no fast path for known names, and the
    mentions added from the gazetteer alone (countries, capitals, international organisations the
    tagger did not mark) are dropped, to show what the product's choice costs or brings on a set.
    """
    extractor = _TAGGER_ONLY if tagger_only else get_extractor()
    tp: Counter[str] = Counter()
    pred: Counter[str] = Counter()
    gold: Counter[str] = Counter()
    seconds = 0.0
    n_tokens = 0
    for tokens, tags in read_corpus(path, fmt):
        text = " ".join(tokens)
        # Gold token index of every character (-1 on the joining spaces).
        token_at: list[int] = []
        for i, tok in enumerate(tokens):
            token_at.extend([i] * len(tok))
            token_at.append(-1)
        t0 = time.perf_counter()
        mentions = extractor.mentions(text, lang)
        seconds += time.perf_counter() - t0
        n_tokens += len(tokens)
        predicted = set()
        for m in mentions:
            if m.type not in TYPES or (tagger_only and m.source == "gazetteer"):
                continue
            # Our tokeniser splits "(HMI)" where the corpus keeps one token: project each predicted
            # span onto the gold tokens it touches (conlleval scores on the corpus's tokens).
            predicted.add((token_at[m.char_start], token_at[m.char_end - 1] + 1, m.type))
        truth = spans(tags)
        for _, _, typ in predicted:
            pred[typ] += 1
        for _, _, typ in truth:
            gold[typ] += 1
        for _, _, typ in predicted & truth:
            tp[typ] += 1
    return tp, pred, gold, seconds, n_tokens


_TAGGER_ONLY = EntityExtractor(fast_path=False)


def prf(tp: int, pred: int, gold: int) -> tuple[float, float, float]:
    p = tp / pred if pred else 0.0
    r = tp / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def article_of_600_words() -> str | None:
    files = sorted(SEEDS.glob("0*.txt"))
    if not files:
        return None
    words: list[str] = []
    paragraphs: list[str] = []
    while len(words) < 600:
        for f in files:
            for para in f.read_text(encoding="utf-8").split("\n\n"):
                paragraphs.append(para)
                words.extend(para.split())
                if len(words) >= 600:
                    break
            if len(words) >= 600:
                break
    return "\n\n".join(paragraphs)


def english_text_of_600_words() -> str | None:
    """~600 words of English from the first UNER EWT dev sentences (web text, not news), one
    paragraph per sentence: the English path's speed (its model adds word-cluster features)."""
    path = DATA / "ner/en_uner_ewt/en_ewt-ud-dev.iob2"
    if not path.exists():
        return None
    paragraphs: list[str] = []
    n_words = 0
    for tokens, _ in read_corpus(path, "uner"):
        paragraphs.append(" ".join(tokens))
        n_words += len(tokens)
        if n_words >= 600:
            break
    return "\n\n".join(paragraphs)


def run() -> None:
    """Print P/R/F1 per dev set and type, speed, and artefact sizes; skip sets that are absent."""
    extractor = get_extractor()
    if not (DATA / "ner").is_dir():
        print(f"shared NER data not found under {DATA / 'ner'}: skipping quality figures")
    else:
        print(f"{'set':28} {'type':5} {'P':>6} {'R':>6} {'F1':>6}  {'gold':>5}")
        for name, rel, fmt, lang, target in DEV_SETS:
            path = DATA / rel
            if not path.exists():
                print(f"{name}: {path} absent, skipped")
                continue
            tp, pred, gold, seconds, n_tokens = evaluate(path, fmt, lang)
            for typ in TYPES:
                p, r, f = prf(tp[typ], pred[typ], gold[typ])
                print(f"{name:28} {typ:5} {p:6.3f} {r:6.3f} {f:6.3f}  {gold[typ]:5d}")
            p, r, f = prf(sum(tp.values()), sum(pred.values()), sum(gold.values()))
            verdict = (
                "" if target is None else f"  target {target:.2f}: {'met' if f >= target else 'NOT met'}"
            )
            print(f"{name:28} {'ALL':5} {p:6.3f} {r:6.3f} {f:6.3f}  {sum(gold.values()):5d}{verdict}")
            tp, pred, gold, _, _ = evaluate(path, fmt, lang, tagger_only=True)
            p, r, f = prf(sum(tp.values()), sum(pred.values()), sum(gold.values()))
            print(
                f"{name:28} {'ALL*':5} {p:6.3f} {r:6.3f} {f:6.3f}  (* tagger decides every name: no gazetteer-only mentions)"
            )
            print(f"{name:28} speed {n_tokens / seconds:,.0f} tokens/s ({1000 * seconds:.0f} ms total)")
    for lang, text in (("id", article_of_600_words()), ("en", english_text_of_600_words())):
        if text is None:
            continue
        extractor.extract(text, lang)  # warm caches as a long-running enricher would be
        # CPU time, not wall time: the figure is "per core" and the machine may be shared; batches,
        # so that the median and the best batch show how much neighbours disturbed the measurement.
        batches: list[float] = []
        for _ in range(10):
            t0 = time.process_time()
            for _ in range(30):
                extractor.extract(text, lang)
            batches.append((time.process_time() - t0) / 30)
        batches.sort()
        median, best = batches[len(batches) // 2], batches[0]
        print(
            f"600-word {lang} text ({len(text.split())} words), entities only, CPU time: "
            f"median {1000 * median:.2f} ms ({1 / median:,.0f} articles/s per core), "
            f"best batch {1000 * best:.2f} ms"
        )
    folder = resources.files("warta.data.entities")
    for name in (
        "gazetteer.json.gz",
        "ner_crf_id.bin",
        "ner_crf_id_lower.bin",
        "ner_crf_en.bin",
        "ner_crf_xx.bin",
        "word_clusters_en.json.gz",
        "word_lexicon_en.json.gz",
        "common_words_en.json.gz",
        "plain_words_en.json.gz",
        "plain_words_id.json.gz",
    ):
        size = len(folder.joinpath(name).read_bytes())
        print(f"artefact {name}: {size / 1024:,.0f} KiB")
    try:
        import resource

        print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    except ImportError:  # not on this platform
        pass


if __name__ == "__main__":
    run()
