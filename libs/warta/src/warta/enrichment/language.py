"""Language identification: ISO 639-1 code + confidence, ``und`` when unsure.

Base detector: lingua (``lingua-language-detector``, models ship inside the wheel), all 75 of its
languages, **low-accuracy mode with preloaded models**. The high-accuracy mode is ~2 points better
on the benchmark sentences but needs ~1.3 GB resident and ~1.5 ms per sentence, which breaks the
enricher's budget (< 700 MB for the whole process, ≥ 300 articles/s per core). It stays available
as ``LanguageDetector(accuracy="high")`` for offline use.

Lingua is close to a coin toss between Indonesian and Malay, so an id↔ms discriminator decides
whenever lingua's answer is one of the two: word weights of one naive Bayes over *training* text
(WikiANN id/ms, SIB-200 ind/zsm parallel sentences, Indonesian NER news; built by
``bench/build_id_ms_weights.py``) plus a short hand list of contrastive spellings ("karena" vs
"kerana", "uang" vs "wang"), over the first ~3000 characters, with a small prior for Indonesian
(far more common in the news we ingest), the identifiers' own id/ms preference, and the page's
declared language as a tie-breaker. Close written standards that the identifiers confuse
(Bosnian/Croatian, Bokmål/Nynorsk/Danish, Catalan/Spanish, Czech/Slovak, Sesotho/Setswana,
Serbian/Macedonian, Marathi/Hindi, Azerbaijani/Turkish, Basque/Latin/Esperanto) are decided from standard-language contrasts (``standard_contrast``): words, endings and spellings
only one standard uses, hand-written from the written standards into
``data/language_contrasts.tsv`` and checked on training text where there is some. Cyrillic text
whose letters the top answer's alphabet lacks (ъ, щ, я in "Serbian") goes to a candidate whose
alphabet has them.

Headlines: the low-accuracy mode misreads short text (an Indonesian headline comes out Finnish,
an English one full of names Vietnamese). For samples under ``SHORT_TEXT`` characters, two or more
unambiguous function words, half or more of the words being Indonesian root words (Sastrawi), or
two thirds of the lower-case words being common English words put the text in that family.

Cost is bounded: lingua only sees a ~180-character sample made of the title and the first
substantial paragraphs (lingua's cost grows faster than linearly with length).

**Second opinions** (``SecondOpinions``): py3langid and CLD2, two identifiers whose models ship
inside their wheels, vote with lingua (weighted sum of the three distributions) whenever lingua
runs; on running text where both agree at ``UNANIMOUS`` or more, lingua is not consulted. They
make different mistakes than lingua's trigram-only mode: with the rest of this pass, benchmark
sentences 0.944 -> 0.967 macro, word pairs 0.800 -> 0.853, for ~0.4 ms and ~+65 MB.

Further layers, bounded in memory:

* **Script focus**: when letters of a non-Latin script make up ``SCRIPT_FOCUS`` or more of the
  text, Latin-script words (an English site banner above an Urdu article, HTTP headers) are
  removed before lingua looks, so the banner cannot outvote the article.
* **Second stage for close relatives** (``REFINED_LANGUAGES``, off by default since the second
  opinions: +0.0004 on sentences and +0.0025 on word pairs for ~80 MB): when the low-accuracy
  winner and
  another of its top three candidates both belong to a small set of languages that the
  trigram-only mode confuses (Bosnian/Croatian/Macedonian, the Nguni and Sotho-Tswana
  languages), lingua's high-accuracy models (1- to 5-grams) decide between those candidates
  only. lingua caches models process-wide, so the cost in memory is the high-accuracy models of
  that fixed set (~84 MB, loaded once at construction), not of all 75 languages (~1.3 GB); a
  set chosen per text from all languages would grow to the full 1.3 GB over a long run.
"""

from __future__ import annotations

import gzip
import math
import threading
from functools import cache
from pathlib import Path
from typing import Literal

import regex

from warta.analysis.analyzer import term
from warta.events import Language

_DATA = Path(__file__).resolve().parents[1] / "data"
UNDETERMINED = "und"
SAMPLE_CHARS = 180
_WORD = regex.compile(r"\p{L}[\p{L}\-']*")
_TWO_LETTERS = regex.compile(r"\p{L}\P{L}*\p{L}")
_LETTER = regex.compile(r"\p{L}")
_NON_LATIN_LETTER = regex.compile(r"[^\P{L}\p{Latin}]")
_LATIN_LETTER = regex.compile(r"\p{Latin}")
_LATIN_WORD = regex.compile(r"[\p{Latin}\p{M}'’\-]*\p{Latin}[\p{Latin}\p{M}'’\-]*")
SCRIPT_FOCUS = 0.4  # share of non-Latin letters from which Latin words are treated as noise
SCRIPT_WINDOW = 1500  # the lingua sample comes from the text's start anyway

# Languages whose high-accuracy models back the second stage: two well-known clusters of close
# relatives that trigram-only mode mixes up (South Slavic bs/hr/mk; Nguni xh/zu and
# Sotho-Tswana st/tn/ts), whose high-accuracy models are small (~84 MB for all eight, measured).
# Caveat: the clusters were picked after looking at lingua's confusions on the benchmark set
# (no training data covers these languages), so their gain there is slightly optimistic.
# Serbian (65 MB) and the Iberian languages (~85 MB) were left out: they would double the
# memory for a fifth of the gain.
REFINED_LANGUAGES = ("bs", "hr", "mk", "xh", "zu", "st", "tn", "ts")
REFINE_CANDIDATES = 3
# py3langid counts double: chosen on training text (SIB-200/UNER sentences and two-word snippets
# cut from them: macro 0.985 -> 0.987 and 0.695 -> 0.709 against equal weights; 3 gained no more
# and cost English snippets). Caveat: its training data includes Leipzig news, the source of
# the benchmark's sentences, so its weight may help there a little more than on unseen text.
LANGID_WEIGHT = 2.0
UNANIMOUS = 0.9  # py3langid and CLD2 both this sure of one language: lingua is not consulted
LINGUA_CANDIDATES = 5  # lingua's candidates that enter the vote (the rest carry ~0 confidence)

# Second opinions (see ``SecondOpinions``): identifiers whose models ship inside their wheels.
# Their codes that differ from lingua's ISO 639-1 codes; lingua has Bokmål as "nb".
_VOTER_CODES = {"no": "nb", "iw": "he", "in": "id", "jw": "jv", "fil": "tl"}


def latin_is_noise(text: str) -> bool:
    """True when ``text`` mixes scripts and a non-Latin script carries at least ``SCRIPT_FOCUS``
    of the letters (of the first ``SCRIPT_WINDOW`` characters): its Latin words are then a
    banner, a header or code, not the language of the text."""
    window = text[:SCRIPT_WINDOW]
    if not _NON_LATIN_LETTER.search(window):
        return False  # the common case (Latin-only text) costs one scan and no lists
    letters = len(_LETTER.findall(window))
    latin = len(_LATIN_LETTER.findall(window))
    return 0 < latin < letters and letters - latin >= SCRIPT_FOCUS * letters


def drop_latin_words(text: str) -> str:
    """``text`` with its Latin-script words blanked out."""
    return _LATIN_WORD.sub(" ", text)


def _words(text: str) -> list[str]:
    return text.split()


# Contrastive spellings and words (Malay positive, Indonesian negative) that a Wikipedia-trained
# model under-weights because they are rarer in encyclopaedic fragments than in news. Words that
# are Malay-leaning but also common in Indonesian text ("boleh", "beliau", "kerajaan",
# "daripada", "berkata", "kanak-kanak") are left to the learned, capped weights: as hand
# markers they turned literary Indonesian sentences Malay.
_HAND_MARKERS: dict[str, float] = {
    **dict.fromkeys(
        _words(
            "kerana iaitu sahaja wang bandar ialah akhbar antarabangsa baharu bahawa memandangkan "
            "kenyataan syarikat polis hospital selepas semasa manakala mahupun ramai cuba percuma "
            "setiausaha naib ahli pejabat kereta kenderaan teksi universiti maklumat projek "
            "kualiti aktiviti komuniti televisyen filem muzik jabatan dijangka "
            "mesyuarat isnin khamis jumaat ogos disember jawatankuasa kewangan kesihatan "
            "ringgit rm mengikut bilion diniagakan pelancongan"
        ),
        2.5,
    ),
    **dict.fromkeys(
        _words(
            "karena bisa yaitu uang kota pemerintah setelah sesudah kantor mobil polisi perusahaan "
            "sekretaris informasi proyek kualitas aktivitas komunitas universitas televisi film musik "
            "gratis coba maupun tapi nggak enggak gak banget kok dong sih aja udah bilang bikin "
            "rupiah rp senin kamis jumat agustus desember miliar triliun pariwisata mengatakan "
            "menurut dikatakan kemarin ungkapnya katanya"
        ),
        -2.5,
    ),
}

# Short texts (headlines, word pairs) are where lingua's low-accuracy mode guesses (a headline in
# Indonesian can come out Finnish). For the languages Warta serves first, two or more distinct
# unambiguous function words override that guess. Words shared with other common languages
# ("para", "di", "in", "is", "at") are deliberately absent.
SHORT_TEXT = 120
EVIDENCE_CHARS = 3000  # ~450 words decide id vs ms as well as a whole article does
_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "id/ms": frozenset(
        _words(
            "yang dan untuk dengan pada ini itu akan dalam tidak bagi oleh atau juga karena kerana "
            "sebagai adalah ialah telah sudah kepada tentang setelah selepas bahwa bahawa masih lebih "
            "hingga tersebut namun tetapi seperti agar serta belum harus menjadi dari ketika bisa boleh"
        )
    ),
    "en": frozenset(
        _words(
            "the of and for with from that this will would was were has have had its after says said "
            "been are but than into about over their which who what when could should"
        )
    ),
}

ROOT_COVERAGE = 0.5

# Close written standards that the identifiers confuse (Bosnian/Croatian, Bokmål/Nynorsk,
# Catalan/Spanish, Czech/Slovak, Sesotho/Setswana, Basque/Latin and the rest of the file's pairs;
# a pair whose lines are commented out there, Xhosa/Zulu, is off) are decided by
# standard-language contrasts when the answer is one of a pair: words, word endings and
# spellings that only one standard uses, hand-written from the written standards into
# ``data/language_contrasts.tsv`` (its comments say why each group is there). Example: Croatian
# "tijekom, tisuća, tjedan, povijest, glazba, milijun, suradnja" against Bosnian (and Serbian)
# "tokom, hiljada, sedmica, historija, muzika, milion, saradnja"; Catalan "amb, però, -ció, l·l"
# against Spanish "con, pero, -ción, ñ".
CONTRAST_MIN_ENDING_WORD = 5  # an ending counts only on words at least this long
# Words for the contrasts keep combining marks (Devanagari vowel signs: "है" is ह + ै) and the
# Catalan middle dot (col·lecció), and split at apostrophes (l'any -> l, any).
_CONTRAST_WORD = regex.compile(r"\p{L}[\p{L}\p{M}·\-]*")


class StandardContrast:
    """Markers of two close written standards: ``score`` is the first's hits minus the second's."""

    def __init__(self, pair: tuple[str, str]) -> None:
        self.pair = pair
        self.words: dict[str, int] = {}
        self.endings: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
        self.patterns: list[tuple[regex.Pattern[str], int]] = []
        self.phrases: list[tuple[regex.Pattern[str], int]] = []

    def add(self, side: int, kind: str, entries: str) -> None:
        """Add one line of the contrasts file (``side`` +1 for the first language, -1 for the second)."""
        if kind == "words":
            for word in entries.split():
                self.words.setdefault(word, side)
        elif kind == "endings":
            first, second = self.endings
            new = tuple(entries.split())
            self.endings = (first + new, second) if side > 0 else (first, second + new)
        elif kind == "pattern":
            self.patterns.append((regex.compile(entries), side))
        elif kind == "phrase":
            self.phrases.append((regex.compile(entries), side))
        else:
            raise ValueError(f"unknown contrast kind {kind!r}")

    def score(self, text: str) -> int:
        """First standard's hits minus the second's in ``text`` (its first ``EVIDENCE_CHARS``).
        A word counts once: as a listed word, else by its ending, else by a spelling pattern."""
        window = text[:EVIDENCE_CHARS].lower()
        first_endings, second_endings = self.endings
        score = 0
        for w in _CONTRAST_WORD.findall(window):
            side = self.words.get(w)
            if side is not None:
                score += side
                continue
            if len(w) >= CONTRAST_MIN_ENDING_WORD:
                if first_endings and w.endswith(first_endings):
                    score += 1
                    continue
                if second_endings and w.endswith(second_endings):
                    score -= 1
                    continue
            for pattern, side in self.patterns:
                if pattern.search(w):
                    score += side
                    break
        for pattern, side in self.phrases:
            score += side * len(pattern.findall(window))
        return score


@cache
def _contrasts() -> dict[tuple[str, str], StandardContrast]:
    contrasts: dict[tuple[str, str], StandardContrast] = {}
    text = (_DATA / "language_contrasts.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        pair_field, side_code, kind, entries = line.split("\t", 3)
        first, second = pair_field.split("/")
        contrast = contrasts.setdefault((first, second), StandardContrast((first, second)))
        contrast.add(1 if side_code == first else -1, kind, entries)
    return contrasts


@cache
def _contrast_of() -> dict[str, tuple[StandardContrast, ...]]:
    """Language code -> the contrasts of the pairs it belongs to (Bokmål: with Nynorsk and Danish)."""
    out: dict[str, tuple[StandardContrast, ...]] = {}
    for contrast in _contrasts().values():
        for code in contrast.pair:
            out[code] = (*out.get(code, ()), contrast)
    return out


def contrast_winner(text: str, top: str) -> str:
    """The close relative whose written standard ``text`` follows rather than ``top``'s (the one
    with the largest margin when ``top`` belongs to several pairs), or ``top`` itself."""
    best, margin = top, 0
    for contrast in _contrast_of().get(top, ()):
        first, second = contrast.pair
        score = contrast.score(text)
        against = score if top == second else -score  # > 0: the text points away from top
        if against > margin:
            best, margin = (first if top == second else second), against
    return best


def standard_contrast(text: str, pair: tuple[str, str]) -> int:
    """Markers of ``pair[0]``'s written standard minus those of ``pair[1]``'s in ``text``
    (positive = the first); see ``data/language_contrasts.tsv`` for the pairs and markers."""
    contrasts = _contrasts()
    if pair in contrasts:
        return contrasts[pair].score(text)
    return -contrasts[(pair[1], pair[0])].score(text)


# Cyrillic letters that a language's standard alphabet does not have (Serbian and Macedonian
# have no я, ю, щ, ь, ы, э, й; Bulgarian none of ђ, ћ, ј, љ, њ, џ, ы, э, і; Russian no і, ї, є, ј;
# Ukrainian no ы, э, ё, ъ). When the top answer's text has two or more of them, the best
# candidate whose alphabet has them all takes its place.
_FOREIGN_LETTERS: dict[str, frozenset[str]] = {
    code: frozenset(letters)
    for code, letters in {
        "sr": "ѓќѕйяющъьыэёєіїґў",
        "mk": "ђћйяющъьыэёєіїґў",
        "bg": "ђћѓќѕјљњџыэёєіїґў",
        "ru": "ђћѓќѕјљњџєіїґў",
        "uk": "ђћѓќѕјљњџыэёъў",
        "be": "ђћѓќѕјљњџищъїєґ",
    }.items()
}
FOREIGN_LETTERS_MIN = 2


def foreign_letter_count(text: str, code: str) -> int:
    """How many letters of ``text`` the standard alphabet of ``code`` does not have (0 for
    languages without such a list)."""
    foreign = _FOREIGN_LETTERS.get(code)
    if foreign is None:
        return 0
    return sum(1 for ch in text.lower() if ch in foreign)


def _alphabet_fit(sample: str, ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """``ranked`` with the best candidate whose alphabet fits ``sample`` first, when the top one's
    does not (see ``_FOREIGN_LETTERS``); unchanged otherwise."""
    if foreign_letter_count(sample, ranked[0][0]) < FOREIGN_LETTERS_MIN:
        return ranked
    for i, (code, _) in enumerate(ranked[1:], 1):
        if foreign_letter_count(sample, code) < FOREIGN_LETTERS_MIN:
            return [ranked[i], *ranked[:i], *ranked[i + 1 :]]
    return ranked


AGREEMENT = 0.5  # combined confidence from which the identifiers' answer beats the word tests

# Running text (articles, not headlines or snippets) in the two languages Warta serves first is
# recognised from its function words without lingua, which is most of the language step's cost
# (~0.6 ms CPU for a 180-character sample). The thresholds sit well above what other languages
# reach: 10 % of the words and six distinct function words in a window of 40+ words.
FAST_MIN_WORDS = 40
FAST_WINDOW_CHARS = 1000
FAST_SHARE = 0.10
FAST_DISTINCT = 6
FAST_CONFIDENCE = 0.95


def running_text_family(text: str) -> str:
    """ "en" or "id/ms" when the start of ``text`` is running text whose function words leave no
    doubt (see ``FAST_*``); "" otherwise (short text, other languages, mixed text)."""
    words = [w.lower() for w in _WORD.findall(text, 0, FAST_WINDOW_CHARS)]
    if len(words) < FAST_MIN_WORDS:
        return ""
    for family, vocabulary in _FUNCTION_WORDS.items():
        found = [w for w in words if w in vocabulary]
        if len(found) >= FAST_SHARE * len(words) and len(set(found)) >= FAST_DISTINCT:
            return family
    return ""


ID_PRIOR = -0.75  # log-odds bias towards Indonesian when the evidence is balanced
HINT_WEIGHT = 2.0
LINGUA_WEIGHT = 0.3


@cache
def _id_roots() -> frozenset[str]:
    data = gzip.decompress((_DATA / "id_roots.txt.gz").read_bytes()).decode("utf-8")
    return frozenset(w for w in data.split("\n") if w and not w.startswith("#"))


def id_root_hits(text: str) -> tuple[int, int]:
    """(words that are Indonesian root words — Sastrawi's list — as written or after Indonesian
    stemming, all words) of ``text``. Indonesian and Malay headlines have half or more of their
    words in the list, other languages rarely a third (loan words such as "program")."""
    words = [w.lower() for w in _WORD.findall(text)]
    roots = _id_roots()
    return sum(1 for w in words if w in roots or term(w, "id") in roots), len(words)


@cache
def _en_words() -> frozenset[str]:
    data = gzip.decompress((_DATA / "en_words.txt.gz").read_bytes()).decode("utf-8")
    return frozenset(w for w in data.split("\n") if w and not w.startswith("#"))


def looks_english(text: str) -> bool:
    """True when a short text's ordinary words are common English words: at least two, and at
    least two thirds of the lower-case words (capitalised words in a headline are mostly names,
    so they are only counted when the text has fewer than two lower-case words)."""
    words = _WORD.findall(text)
    lower = [w for w in words if w[0].islower()]
    pool = lower if len(lower) >= 2 else [w.lower() for w in words]
    vocabulary = _en_words()
    hits = sum(1 for w in pool if w in vocabulary)
    return hits >= 2 and hits * 3 >= 2 * len(pool)


@cache
def _id_ms_weights() -> dict[str, float]:
    weights: dict[str, float] = {}
    text = (_DATA / "id_ms_weights.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        word, _, number = line.partition("\t")
        weights[word] = float(number)
    for word, marker in _HAND_MARKERS.items():
        # The hand list wins only where it is more decided than the learned weight.
        if abs(marker) > abs(weights.get(word, 0.0)):
            weights[word] = marker
    return weights


def id_ms_score(text: str) -> float:
    """Log-odds evidence that ``text`` is Malay rather than Indonesian (positive = Malay).

    Sums the per-word weights; words unknown to the model count zero. No prior is included.
    """
    weights = _id_ms_weights()
    return sum(weights.get(w.lower(), 0.0) for w in _WORD.findall(text))


def normalise_hint(hint: str | None) -> str | None:
    """``"id-ID"``, ``"in"``, ``"ms_MY"``, ``"EN"`` → ISO 639-1 code, or None when unusable."""
    if not hint:
        return None
    code = hint.strip().replace("_", "-").split("-")[0].lower()
    code = {"in": "id", "iw": "he", "ji": "yi", "zsm": "ms", "ind": "id", "msa": "ms", "may": "ms"}.get(
        code, code
    )
    return code if len(code) == 2 and code.isalpha() else None


def language_sample(text: str, title: str | None = None, limit: int = SAMPLE_CHARS) -> str:
    """A bounded, representative sample: the title, then paragraphs of at least ~60 characters
    (captions, datelines and link lines are poorer evidence), falling back to the text's start."""
    parts: list[str] = []
    size = 0
    if title and title.strip():
        parts.append(title.strip())
        size += len(parts[-1])
    for para in text.split("\n"):
        para = para.strip()
        if len(para) < 60:
            continue
        parts.append(para)
        size += len(para)
        if size >= limit:
            break
    sample = " ".join(parts) if size >= min(limit, 60) else f"{title or ''} {text}".strip()
    if len(sample) > limit:
        cut = sample.rfind(" ", 0, limit)
        sample = sample[: cut if cut > limit // 2 else limit]
    return sample


class SecondOpinions:
    """Two independent language identifiers that vote with lingua:

    * **py3langid** (langid.py's multinomial naive Bayes over byte n-grams, 2026 model trained on
      Wikipedia, Leipzig news, CommonCrawl and Tatoeba), restricted to lingua's languages;
      ~0.35 ms for a 180-character sample, ~65 MB resident.
    * **CLD2** (``pycld2``, Chromium's compact detector): ~0.05 ms, a few MB; abstains on text
      too short for it.

    lingua's low-accuracy mode (trigrams only) confuses close relatives and misreads short text;
    the two others make different mistakes (different features, different training text), so
    a weighted sum of the three distributions corrects many of lingua's errors. The sum was
    checked on *training* text (SIB-200 train in 19 lingua languages, UNER train sentences in
    da/hr/sk/sv and two-word snippets cut from them), where it beat lingua alone, every pair of
    the three and arbitration on a small lingua margin; py3langid's double weight was chosen
    there too. No weight was fitted on the benchmark set.
    """

    def __init__(self, languages: frozenset[str]) -> None:
        import pycld2
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        full = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        wanted = {c for c in full.nb_classes if _VOTER_CODES.get(c, c) in languages}
        full.set_languages(sorted(wanted))
        # A fresh identifier over the restricted columns only: set_languages keeps the full
        # 142-language table alive for a later reset (~26 MB we never use).
        self._langid = LanguageIdentifier(
            full.nb_ptc,
            full.nb_pc,
            full.nb_classes,
            full.tk_nextmove,
            full.tk_output,
            norm_probs=True,
            tk_row=full.tk_row,
        )
        del full
        self._langid_knows = frozenset(_VOTER_CODES.get(c, c) for c in wanted)
        self._cld2 = pycld2
        self._languages = languages

    @property
    def langid_languages(self) -> frozenset[str]:
        """lingua codes py3langid can vote for (it lacks Maori, Tswana and Tsonga)."""
        return self._langid_knows

    def langid(self, sample: str) -> dict[str, float]:
        """py3langid's probabilities (top five, lingua codes)."""
        out: dict[str, float] = {}
        for code, prob in self._langid.rank(sample)[:LINGUA_CANDIDATES]:
            code = _VOTER_CODES.get(code, code)
            out[code] = out.get(code, 0.0) + float(prob)
        return out

    def cld2(self, sample: str) -> dict[str, float]:
        """CLD2's share of the text per language (lingua codes); {} when CLD2 abstains."""
        try:
            # Without bestEffort CLD2 abstains on text too short for it; with it, it falls back
            # to English for any short snippet ("al mare", "di una": en 0.9).
            _, _, details = self._cld2.detect(sample)
        except Exception:  # invalid UTF-8 (lone surrogates) and similar: no opinion
            return {}
        out: dict[str, float] = {}
        for _, code, percent, _ in details:
            code = _VOTER_CODES.get(code.lower(), code.lower()).split("-")[0]
            if code in self._languages and percent > 0:
                out[code] = out.get(code, 0.0) + percent / 100.0
        return out

    def opinions(self, sample: str) -> tuple[dict[str, float], dict[str, float]]:
        """(py3langid's, CLD2's) distributions for ``sample``."""
        return self.langid(sample), self.cld2(sample)

    @staticmethod
    def unanimous(opinions: tuple[dict[str, float], dict[str, float]]) -> tuple[str, float] | None:
        """(code, confidence) when py3langid and CLD2 both give the same language at least
        ``UNANIMOUS`` (and it is not Indonesian or Malay, which the discriminator decides); None
        otherwise. Used on running text only, where it spares lingua (~0.6 ms)."""
        langid, cld2 = opinions
        if not langid or not cld2:
            return None
        code, conf = max(langid.items(), key=lambda cv: cv[1])
        if code in ("id", "ms") or conf < UNANIMOUS or cld2.get(code, 0.0) < UNANIMOUS:
            return None
        return code, min(conf, cld2[code])

    def vote(
        self,
        sample: str,
        lingua: list[tuple[str, float]],
        opinions: tuple[dict[str, float], dict[str, float]] | None = None,
    ) -> list[tuple[str, float]]:
        """Weighted sum of lingua's, py3langid's (``LANGID_WEIGHT``) and CLD2's distributions,
        divided by the total weight of the identifiers that answered, best first. Where
        py3langid does not know a language lingua proposes, lingua's confidence stands in for its
        missing vote (otherwise those languages could never win)."""
        totals: dict[str, float] = {}
        for code, conf in lingua:
            totals[code] = totals.get(code, 0.0) + conf
            if code not in self._langid_knows:
                totals[code] += LANGID_WEIGHT * conf
        langid, cld2 = opinions if opinions is not None else self.opinions(sample)
        for code, conf in langid.items():
            totals[code] = totals.get(code, 0.0) + LANGID_WEIGHT * conf
        for code, conf in cld2.items():
            totals[code] = totals.get(code, 0.0) + conf
        voters = (2.0 if cld2 else 1.0) + LANGID_WEIGHT  # CLD2 abstains on short text
        return sorted(((c, v / voters) for c, v in totals.items()), key=lambda cv: -cv[1])


class LanguageDetector:
    """Build once per process (loading lingua's models takes ~1 s); ``detect`` keeps no state, so
    one detector can serve several threads."""

    def __init__(
        self, accuracy: Literal["low", "high"] = "low", refine: bool = False, second_opinions: bool = True
    ) -> None:
        from lingua import IsoCode639_1, LanguageDetectorBuilder
        from lingua import Language as LinguaLanguage

        builder = LanguageDetectorBuilder.from_all_languages()
        if accuracy == "low":
            builder = builder.with_low_accuracy_mode()
        self._lingua = builder.with_preloaded_language_models().build()
        self._refined: frozenset[str] = frozenset()
        self._refiners: dict[tuple[str, ...], object] = {}
        self._refiners_lock = threading.Lock()
        if accuracy == "low" and refine:
            codes = [getattr(IsoCode639_1, c.upper()) for c in REFINED_LANGUAGES]
            # Preloading here fixes the memory cost at start-up; the per-pair detectors built
            # later share these models (lingua keeps one process-wide cache).
            LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_preloaded_language_models().build()
            self._refined = frozenset(REFINED_LANGUAGES)
        self._voters: SecondOpinions | None = None
        if second_opinions:
            lingua_codes = frozenset(lang.iso_code_639_1.name.lower() for lang in LinguaLanguage.all())
            self._voters = SecondOpinions(lingua_codes)
        _id_ms_weights()
        _contrast_of()

    def _refiner(self, codes: tuple[str, ...]):  # type: ignore[no-untyped-def]
        """A high-accuracy lingua detector restricted to ``codes`` (sorted), built once."""
        with self._refiners_lock:
            detector = self._refiners.get(codes)
            if detector is None:
                from lingua import IsoCode639_1, LanguageDetectorBuilder

                detector = LanguageDetectorBuilder.from_iso_codes_639_1(
                    *[getattr(IsoCode639_1, c.upper()) for c in codes]
                ).build()
                self._refiners[codes] = detector
            return detector

    def _refine(self, sample: str, ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """Re-rank close relatives with high-accuracy models (see module docstring)."""
        if not self._refined or ranked[0][0] not in self._refined:
            return ranked
        candidates = [code for code, _ in ranked[:REFINE_CANDIDATES] if code in self._refined]
        if len(candidates) < 2:
            return ranked
        mass = sum(conf for code, conf in ranked if code in candidates)
        values = self._refiner(tuple(sorted(candidates))).compute_language_confidence_values(sample)  # type: ignore[attr-defined]
        refined = [
            (v.language.iso_code_639_1.name.lower(), float(v.value) * mass) for v in values if v.value > 0
        ]
        if not refined:
            return ranked
        return refined + [(code, conf) for code, conf in ranked if code not in candidates]

    @staticmethod
    def _id_or_ms(
        full: str, family_conf: float, conf_of: dict[str, float], hint_code: str | None
    ) -> Language:
        """Indonesian or Malay for a text already placed in the family (see module docstring)."""
        evidence = id_ms_score(full[:EVIDENCE_CHARS])
        lingua_lr = math.log((conf_of.get("ms", 0.0) + 0.05) / (conf_of.get("id", 0.0) + 0.05))
        score = evidence + ID_PRIOR + LINGUA_WEIGHT * max(-3.0, min(3.0, lingua_lr))
        if hint_code == "id":
            score -= HINT_WEIGHT
        elif hint_code == "ms":
            score += HINT_WEIGHT
        code = "ms" if score > 0 else "id"
        certainty = 1.0 / (1.0 + math.exp(-abs(score)))
        return Language(code=code, confidence=round(min(1.0, family_conf) * certainty, 4))

    def detect(self, text: str, title: str | None = None, hint: str | None = None) -> Language:
        """Detect the language of ``title`` + ``text``; see :func:`detect_language`."""
        full = f"{title}\n{text}" if title else text
        if not _TWO_LETTERS.search(full, 0, 4000):
            return Language(code=UNDETERMINED, confidence=0.0)
        if latin_is_noise(full):
            text = drop_latin_words(text)
            title = drop_latin_words(title) if title else title
            full = f"{title}\n{text}" if title else text
        hint_code = normalise_hint(hint)
        fast = running_text_family(text)
        if fast == "en":
            return Language(code="en", confidence=FAST_CONFIDENCE)
        if fast == "id/ms":
            # lingua's id/ms preference is close to a coin toss anyway; the discriminator decides.
            return self._id_or_ms(full, FAST_CONFIDENCE, {}, hint_code)
        sample = _encodable(language_sample(text, title))
        opinions = self._voters.opinions(sample) if self._voters is not None else None
        agreed = None
        if opinions is not None and len(sample) >= SHORT_TEXT:
            agreed = self._voters.unanimous(opinions)  # type: ignore[union-attr]
        if agreed is not None:
            ranked = [agreed]
        else:
            values = self._lingua.compute_language_confidence_values(sample)
            ranked = [
                (v.language.iso_code_639_1.name.lower(), float(v.value))
                for v in values[:LINGUA_CANDIDATES]
                if v.value > 0
            ]
            if not ranked:
                return Language(code=UNDETERMINED, confidence=0.0)
            ranked = self._refine(sample, ranked)
            if self._voters is not None:
                ranked = self._voters.vote(sample, ranked, opinions)
        if ranked[0][0] in _FOREIGN_LETTERS:
            ranked = _alphabet_fit(sample, ranked)
        top, top_conf = ranked[0]
        conf_of = dict(ranked)
        family = ""
        if len(sample) < SHORT_TEXT:
            # Short text: the words Warta knows best decide before any detector's guess (CLD2 in
            # particular calls many short English headlines Indonesian).
            family = _function_word_family(sample)
            if not family:
                hits, total = id_root_hits(sample)
                # Like the English test below, the root-word test yields to identifiers that
                # agree on another language: short Latvian, Latin or Turkish sentences also
                # reach half root words ("kas", "tas", "par", "non", "bir", "ama" are Sastrawi roots).
                if (
                    hits >= 2
                    and hits >= ROOT_COVERAGE * total
                    and (top in ("id", "ms") or top_conf < AGREEMENT)
                ):
                    family = "id/ms"
                elif top != "en" and top_conf < AGREEMENT and looks_english(sample):
                    # Only when the identifiers do not agree on another language: the common-
                    # English-word test also fires on Catalan or Irish with "de", "na", "in".
                    family = "en"
        if not family and top in ("id", "ms"):
            family = "id/ms"
        if family == "en" and top != "en":
            return Language(code="en", confidence=round(max(0.5, conf_of.get("en", 0.0)), 4))
        if family == "id/ms":
            family_conf = max(top_conf, conf_of.get("id", 0.0) + conf_of.get("ms", 0.0))
            if top not in ("id", "ms"):
                family_conf = max(0.5, family_conf)  # decided by the function words, not lingua
            return self._id_or_ms(full, family_conf, conf_of, hint_code)
        if top in _contrast_of():
            code = contrast_winner(full, top)
            if code != top:
                conf = top_conf + conf_of.get(code, 0.0)
                return Language(code=code, confidence=round(min(1.0, conf), 4))
        if hint_code and hint_code != top and conf_of.get(hint_code, 0.0) >= 0.5 * top_conf:
            # The page declares a language lingua finds nearly as likely: trust the publisher.
            return Language(code=hint_code, confidence=round(conf_of[hint_code], 4))
        if top_conf < 0.2:
            return Language(code=UNDETERMINED, confidence=round(top_conf, 4))
        return Language(code=top, confidence=round(top_conf, 4))


def _encodable(sample: str) -> str:
    """``sample`` with lone surrogates (from broken decoders upstream) replaced by "?": lingua
    raises on text that cannot be encoded as UTF-8."""
    try:
        sample.encode("utf-8")
    except UnicodeEncodeError:
        return sample.encode("utf-8", "replace").decode("utf-8")
    return sample


def _function_word_family(sample: str) -> str:
    """ "id/ms" or "en" when at least two distinct function words of that family make up at least
    a quarter of the words of a short text; "" otherwise."""
    words = [w.lower() for w in _WORD.findall(sample)]
    if len(words) < 2:
        return ""
    for family, vocabulary in _FUNCTION_WORDS.items():
        hits = {w for w in words if w in vocabulary}
        if len(hits) >= 2 and sum(w in vocabulary for w in words) * 4 >= len(words):
            return family
    return ""


_default_detector: LanguageDetector | None = None
_default_lock = threading.Lock()


def default_detector() -> LanguageDetector:
    """The process-wide detector, built on first use."""
    global _default_detector
    with _default_lock:
        if _default_detector is None:
            _default_detector = LanguageDetector()
        return _default_detector


def detect_language(text: str, title: str | None = None, hint: str | None = None) -> Language:
    """ISO 639-1 code and confidence in [0, 1] for ``title`` + ``text``; ``und`` when unsure.

    ``hint`` is the publisher's declared language (``html_lang``, feed language), used only to break
    near-ties. Indonesian and Malay are told apart by a dedicated discriminator. Never raises on
    any string input.
    """
    return default_detector().detect(text, title=title, hint=hint)
