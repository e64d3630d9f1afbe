"""Compile the entity gazetteer shipped in ``warta/data/entities/gazetteer.json.gz``.

Reads the third-party dictionaries under ``../shared/data/entities`` (relative to the repo root) and
writes one compact file: a table of entities ``[canonical, type, wikidata_qid, tier]`` and two alias maps
(folded key -> entity index, and case-sensitive short acronyms -> entity index).

Sources are merged in priority order (countries, international organisations, curated Indonesian
institutions, people, places, parties, brands); the first source to claim an alias keeps it, so "Georgia"
stays the country and "AS" stays the United States.

Run: ``uv run python deploy/build/build_gazetteers.py [--data PATH] [--out PATH]``
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
from pathlib import Path

import yaml

from warta.enrichment.entities.tokens import text_key, tokenize

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data"
DEFAULT_OUT = REPO_ROOT / "libs" / "warta" / "src" / "warta" / "data" / "entities" / "gazetteer.json.gz"

# Acronyms this short collide with ordinary words ("as", "bi", "ma", "un") unless matched with their case.
CASED_MAX_LEN = 5

# Curated entries a news product needs that no source above carries (or carries under another name).
# QIDs come from the shared data: IndEL's Wikidata links for Indonesian institutions, supraverden,
# dr5hn and the leader lists; None where the data holds no id.
CURATED: list[tuple[str, str, str | None, list[str]]] = [
    # canonical, type, qid, aliases
    ("Corruption Eradication Commission", "ORG", "Q3273955", ["KPK", "Komisi Pemberantasan Korupsi"]),
    ("Financial Services Authority (Indonesia)", "ORG", None, ["OJK", "Otoritas Jasa Keuangan"]),
    (
        "National Disaster Management Authority (Indonesia)",
        "ORG",
        "Q1661746",
        ["BNPB", "Badan Nasional Penanggulangan Bencana"],
    ),
    ("People's Representative Council", "ORG", "Q2670027", ["DPR", "DPR RI", "Dewan Perwakilan Rakyat"]),
    ("People's Consultative Assembly", "ORG", "Q818711", ["MPR", "MPR RI", "Majelis Permusyawaratan Rakyat"]),
    ("Regional Representative Council", "ORG", "Q2118693", ["DPD", "DPD RI", "Dewan Perwakilan Daerah"]),
    ("Indonesian National Armed Forces", "ORG", "Q855515", ["TNI", "Tentara Nasional Indonesia"]),
    (
        "Indonesian National Police",
        "ORG",
        "Q3103954",
        ["Polri", "Kepolisian Negara Republik Indonesia", "Mabes Polri"],
    ),
    ("Bank Indonesia", "ORG", None, ["BI", "Bank Indonesia"]),
    ("General Elections Commission (Indonesia)", "ORG", "Q14917369", ["KPU", "Komisi Pemilihan Umum"]),
    ("Elections Supervisory Agency", "ORG", None, ["Bawaslu", "Badan Pengawas Pemilihan Umum"]),
    ("Constitutional Court of Indonesia", "ORG", "Q3000949", ["MK", "Mahkamah Konstitusi"]),
    ("Supreme Court of Indonesia", "ORG", "Q4200557", ["MA", "Mahkamah Agung"]),
    ("Attorney General's Office of Indonesia", "ORG", "Q12490460", ["Kejagung", "Kejaksaan Agung"]),
    ("Audit Board of Indonesia", "ORG", None, ["BPK", "Badan Pemeriksa Keuangan"]),
    ("National Narcotics Board", "ORG", "Q4121202", ["BNN", "Badan Narkotika Nasional"]),
    ("State Intelligence Agency", "ORG", "Q2619338", ["BIN", "Badan Intelijen Negara"]),
    (
        "Meteorology, Climatology, and Geophysical Agency",
        "ORG",
        "Q2826615",
        ["BMKG", "Badan Meteorologi, Klimatologi, dan Geofisika"],
    ),
    ("Statistics Indonesia", "ORG", None, ["BPS", "Badan Pusat Statistik"]),
    ("National Search and Rescue Agency", "ORG", None, ["Basarnas", "Badan SAR Nasional"]),
    ("Ministry of Home Affairs (Indonesia)", "ORG", "Q6867142", ["Kemendagri", "Kementerian Dalam Negeri"]),
    ("Ministry of Foreign Affairs (Indonesia)", "ORG", None, ["Kemenlu", "Kementerian Luar Negeri"]),
    ("Ministry of Finance (Indonesia)", "ORG", None, ["Kemenkeu", "Kementerian Keuangan"]),
    ("Ministry of Health (Indonesia)", "ORG", None, ["Kemenkes", "Kementerian Kesehatan"]),
    ("Ministry of National Development Planning", "ORG", "Q11047108", ["Bappenas"]),
    ("Polda Metro Jaya", "ORG", "Q12490960", ["Polda Metro Jaya"]),
    ("Merdeka Palace", "LOC", "Q6088540", ["Istana Negara"]),
    ("Pertamina", "ORG", "Q1641044", ["Pertamina"]),
    ("Perusahaan Listrik Negara", "ORG", "Q4201636", ["PLN", "Perusahaan Listrik Negara"]),
    ("Garuda Indonesia", "ORG", "Q512468", ["Garuda Indonesia"]),
    ("Telkom Indonesia", "ORG", "Q2305438", ["Telkom", "Telkom Indonesia"]),
    ("Bank Rakyat Indonesia", "ORG", "Q623042", ["BRI", "Bank Rakyat Indonesia"]),
    ("Bank Central Asia", "ORG", "Q806626", ["BCA", "Bank Central Asia"]),
    ("Football Association of Indonesia", "ORG", "Q622257", ["PSSI"]),
    ("Group of Seven", "ORG", None, ["G7", "G-7", "Group of Seven", "Kelompok Tujuh"]),
    ("Group of Twenty", "ORG", None, ["G20", "G-20", "Group of Twenty", "Kelompok 20"]),
    ("Reuters", "ORG", "Q130879", ["Reuters"]),
    ("Jens Stoltenberg", "PER", None, ["Jens Stoltenberg"]),
    ("Antara", "ORG", None, ["ANTARA", "Antara", "LKBN Antara"]),
    # People better known by a short name in Indonesian news (QIDs from IndEL / leader lists).
    ("Joko Widodo", "PER", "Q3318231", ["Jokowi", "Joko Widodo"]),
    ("Susilo Bambang Yudhoyono", "PER", "Q57405", ["SBY", "Susilo Bambang Yudhoyono"]),
    ("Basuki Tjahaja Purnama", "PER", "Q3701615", ["Ahok", "Basuki Tjahaja Purnama"]),
    ("Prabowo Subianto", "PER", "Q2107268", ["Prabowo Subianto"]),
    # Continents and regions (QIDs from IndEL).
    ("Europe", "LOC", "Q46", ["Europe", "Eropa"]),
    ("Asia", "LOC", "Q48", ["Asia"]),
    ("Africa", "LOC", "Q15", ["Africa", "Afrika"]),
    ("Middle East", "LOC", None, ["Middle East", "Timur Tengah"]),
    ("Southeast Asia", "LOC", None, ["Southeast Asia", "Asia Tenggara"]),
]

# Extra spellings of countries and cities, keyed by the canonical English name the sources use.
EXTRA_COUNTRY_ALIASES: dict[str, list[str]] = {
    "US": ["AS", "A.S.", "Amerika", "US", "U.S.", "USA", "U.S.A.", "America", "Paman Sam"],
    "GB": ["UK", "U.K.", "Inggris", "Britain", "Great Britain", "Britania Raya"],
    "CN": ["Tiongkok", "Cina", "RRT", "RRC"],
    "ID": ["RI", "NKRI", "Republik Indonesia"],
    "KR": ["Korsel", "South Korea", "Korea Selatan"],
    "KP": ["Korut", "North Korea", "Korea Utara"],
    "RU": ["Rusia", "Russia", "Rusland"],
    "AE": ["UEA", "UAE", "Uni Emirat Arab"],
    "SA": ["Arab Saudi", "Saudi"],
    "NL": ["Belanda", "Holland"],
    "CZ": ["Ceko", "Czech Republic"],
    "VA": ["Vatikan", "Vatican"],
    "PS": ["Palestina", "Palestine"],
    "TW": ["Taiwan"],
    "MM": ["Myanmar", "Burma"],
    "TL": ["Timor Leste", "Timor-Leste", "East Timor"],
}
# City spellings: canonical (as in dr5hn states.csv, which carries the QID) -> aliases.
EXTRA_PLACE_ALIASES: dict[str, list[str]] = {
    "Kyiv": ["Kiev", "Kiew", "Kyiv", "Kiyv"],
    "Moscow": ["Moskow", "Moskwa", "Moskou", "Moscou"],
    "Bucharest": ["Bukares", "Bucureşti", "București", "Bukarest"],
    "DKI Jakarta": ["Jakarta", "DKI Jakarta", "DKI"],
    "DI Yogyakarta": ["Yogyakarta", "Jogja", "Jogjakarta", "Yogya", "DIY"],
}
# Source names that are not what a newsroom calls the place.
CANONICAL_OVERRIDES = {"DKI Jakarta": "Jakarta", "DI Yogyakarta": "Yogyakarta"}
# Latin-script translation keys worth keeping from dr5hn / mledoze (others tokenise badly).
LATIN_LANGS = {
    "br",
    "pt-BR",
    "pt",
    "nl",
    "hr",
    "de",
    "es",
    "fr",
    "it",
    "tr",
    "pl",
    "por",
    "nld",
    "hrv",
    "deu",
    "spa",
    "fra",
    "ita",
    "tur",
    "pol",
    "fin",
    "est",
    "ces",
    "slk",
    "swe",
    "cym",
    "hun",
}
LEADER_FILES = [
    "leaders/ep_indonesia_ministers/html_holders21.csv",
    "leaders/ep_indonesia_ministers/html_current.csv",
    "leaders/ep_malaysia_ministers/html_holders21.csv",
    "leaders/ep_singapore_ministers/html_holders21.csv",
    "leaders/ep_philippines_ministers/html_holders21.csv",
    "leaders/ep_vietnam/html_holders21.csv",
    "leaders/ep_world/html_holders21.csv",
    "leaders/ep_world/html_current.csv",
    "leaders/ep_indonesia_ministers/html_legislators.csv",
]
PARTY_ACRONYM_COUNTRIES = {"IDN", "MYS", "SGP", "PHL"}


class GazetteerBuilder:
    """Accumulates entities and aliases; the first claim on an alias wins."""

    def __init__(self) -> None:
        self.entities: list[list[str | int | None]] = []
        # Tier 1 = countries, international organisations and curated entries: unambiguous enough to be
        # reported on their own; tier 2 = people; tier 3 = subdivisions, cities, parties, brands (evidence
        # for the tagger and for linking, never reported without the tagger agreeing).
        self.tier = 1
        self.by_qid: dict[str, int] = {}
        self.by_name: dict[tuple[str, str], int] = {}
        self.folded: dict[str, int] = {}
        self.cased: dict[str, int] = {}

    def entity(self, canonical: str, etype: str, qid: str | None) -> int:
        canonical = " ".join(canonical.split())
        if qid and qid in self.by_qid:
            return self.by_qid[qid]
        key = (etype, text_key(canonical))
        if not qid and key in self.by_name:
            return self.by_name[key]
        self.entities.append([canonical, etype, qid, self.tier])
        idx = len(self.entities) - 1
        if qid:
            self.by_qid[qid] = idx
        self.by_name.setdefault(key, idx)
        return idx

    def alias(self, surface: str | None, idx: int, *, min_len: int = 2) -> None:
        if not surface:
            return
        surface = " ".join(str(surface).split())
        tokens = [t for t, _, _ in tokenize(surface)]
        if not tokens or len(surface) < min_len or not any(ch.isalpha() for ch in surface):
            return
        letters = surface.replace(".", "")
        if len(tokens) == 1 and letters.isupper() and len(letters) <= CASED_MAX_LEN:
            self.cased.setdefault(" ".join(tokens), idx)
            return
        self.folded.setdefault(" ".join(t for t in text_key(surface).split()), idx)

    def dump(self, out: Path) -> None:
        payload = {"version": 1, "entities": self.entities, "folded": self.folded, "cased": self.cased}
        out.parent.mkdir(parents=True, exist_ok=True)
        raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        with gzip.GzipFile(out, "wb", compresslevel=9, mtime=0) as fh:
            fh.write(raw)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def add_countries(g: GazetteerBuilder, ents: Path) -> dict[str, int]:
    """Countries keyed by ISO2: names from dr5hn (QIDs), CLDR (id, ms, …) and mledoze (alt spellings)."""
    dr5hn = json.loads((ents / "countries/dr5hn_csc/countries.json").read_text(encoding="utf-8"))
    by_iso: dict[str, int] = {}
    for c in dr5hn:
        idx = g.entity(c["name"], "LOC", c.get("wikiDataId"))
        by_iso[c["iso2"]] = idx
    # English names first so that they win collisions, then Indonesian and Malay, then the rest.
    for lang in ["en", "id", "ms", "de", "fr", "es", "pt", "nl", "vi", "ru", "ar", "zh_CN"]:
        path = ents / f"countries/umpirsky_cldr/{lang}.country.json"
        for iso2, name in json.loads(path.read_text(encoding="utf-8")).items():
            if iso2 in by_iso:
                g.alias(name, by_iso[iso2])
    for iso2, aliases in EXTRA_COUNTRY_ALIASES.items():
        for a in aliases:
            g.alias(a, by_iso[iso2])
    for c in dr5hn:
        idx = by_iso[c["iso2"]]
        g.alias(c["name"], idx)
        g.alias(c.get("native"), idx)
        for lang, name in (c.get("translations") or {}).items():
            if lang in LATIN_LANGS:
                g.alias(name, idx)
    mledoze = json.loads((ents / "countries/mledoze/countries.json").read_text(encoding="utf-8"))
    for c in mledoze:
        found = by_iso.get(c["cca2"])
        if found is None:
            continue
        idx = found
        g.alias(c["name"]["common"], idx)
        g.alias(c["name"]["official"], idx)
        for alt in c.get("altSpellings", []):
            if len(alt) > 2:  # two-letter codes are ISO codes, not names people write
                g.alias(alt, idx)
        for lang, tr in (c.get("translations") or {}).items():
            if lang in LATIN_LANGS:
                g.alias(tr.get("common"), idx)
    return by_iso


def add_intl_orgs(g: GazetteerBuilder, ents: Path) -> None:
    data = yaml.safe_load((ents / "intl_orgs/supraverden/general_list.yaml").read_text(encoding="utf-8"))
    for key, rec in data.items():
        if not isinstance(rec, dict):
            continue
        qid = rec.get("Wikidata_code")
        qid = qid if isinstance(qid, str) and re.fullmatch(r"Q\d+", qid) else None
        idx = g.entity(rec.get("Name_en") or key, "ORG", qid)
        g.alias(key, idx)
        for field, value in rec.items():
            if not isinstance(value, str):
                continue
            if field.startswith(("Name_", "Abbreviation_")) and field != "Name_zh":
                # Three-letter-or-less acronyms in other languages are too ambiguous ("UE", "ONU" are fine).
                g.alias(value, idx, min_len=2)
    un = g.by_qid.get("Q1065")
    if un is not None:
        for a in ["PBB", "Perserikatan Bangsa-Bangsa", "Perserikatan Bangsa Bangsa", "UN", "U.N.", "ONU"]:
            g.alias(a, un)
    nato = g.by_qid.get("Q7184")
    if nato is not None:
        for a in ["NATO", "Pakta Pertahanan Atlantik Utara", "North Atlantic Treaty Organization", "OTAN"]:
            g.alias(a, nato)


def add_curated(g: GazetteerBuilder) -> None:
    for canonical, etype, qid, aliases in CURATED:
        idx = g.entity(canonical, etype, qid)
        for a in aliases:
            g.alias(a, idx)


def add_people(g: GazetteerBuilder, ents: Path) -> None:
    """Heads of state/government and officeholders with QIDs; full names only (two tokens or more)."""

    def person(name: str | None, qid: str | None) -> None:
        if not name or not qid or not re.fullmatch(r"Q\d+", qid):
            return
        if len(tokenize(name)) < 2:
            return
        g.alias(name, g.entity(name, "PER", qid))

    for row in read_csv(ents / "leaders/ep_world_leaders_2021/wikidata.csv"):
        person(row["officeholderLabel"], row["officeholder"])
    positions = json.loads((ents / "leaders/oda_world_leaders_current/by-position.json").read_text("utf-8"))
    for rows in positions.values():
        for row in rows:
            person(row.get("name_en"), row.get("wikidata_id"))
            idx = g.by_qid.get(row.get("wikidata_id") or "")
            if idx is not None:
                g.alias(row.get("name_local"), idx)
    for rel in LEADER_FILES:
        for row in read_csv(ents / rel):
            person(row.get("person"), row.get("personID"))
    for row in read_csv(ents / "leaders/ep_indonesia_ministers/sources_governors_wikidata.csv"):
        person(row["itemLabel"], row["item"])
    for row in read_csv(ents / "leaders/ep_indonesia_ministers/sources_official_wikidata.csv"):
        person(row["wdLabel"], row["wdid"])
    for row in read_csv(ents / "leaders/ep_world/sources_foreign_wikidata.csv"):
        person(row.get("name"), row.get("person"))


def plausible_native(name: str, native: str | None) -> bool:
    """Whether a subdivision's ``native`` name is a real local name, not source noise.

    The source carries vandalised or machine-translated values ("Suspend" for Shiselweni, "Baker"
    for Koper, "Blast" for Nkhotakota) that would turn English words into places. A plain-ASCII
    one-word native name must therefore share its first two letters with the English name
    ("Bayern"/"Bavaria" passes); non-ASCII and multi-word native names are kept.
    """
    if not native or native == "O iapă":  # a known vandalised native name in the source
        return False
    if native.isascii() and len(native.split()) == 1:
        return text_key(native)[:2] == text_key(name)[:2]
    return True


def add_places(g: GazetteerBuilder, ents: Path, by_iso: dict[str, int]) -> None:
    """First-level subdivisions (dr5hn, QIDs), Indonesian cities (QIDs), capitals, BPS regions."""
    states = read_csv(ents / "countries/dr5hn_csc/states.csv")
    dr5hn = json.loads((ents / "countries/dr5hn_csc/countries.json").read_text(encoding="utf-8"))
    # Capitals (and the cities we curate spellings for) are news staples: report them like countries.
    major = {c["capital"] for c in dr5hn if c.get("capital")} | set(EXTRA_PLACE_ALIASES)
    state_idx: dict[str, int] = {}
    for row in states:
        qid = row["wikiDataId"] or None
        tier, g.tier = g.tier, (1 if row["name"] in major else g.tier)
        idx = g.entity(CANONICAL_OVERRIDES.get(row["name"], row["name"]), "LOC", qid)
        g.tier = tier
        state_idx.setdefault(row["name"], idx)
    for canonical, aliases in EXTRA_PLACE_ALIASES.items():
        for a in aliases:
            g.alias(a, state_idx[canonical])
    for row in states:
        idx = state_idx[row["name"]]
        g.alias(row["name"], idx)
        if plausible_native(row["name"], row["native"]):
            g.alias(row["native"], idx)
    cities = json.loads((ents / "countries/dr5hn_csc/cities_ID.json").read_text(encoding="utf-8"))
    for c in cities:
        idx = g.entity(c["name"], "LOC", c.get("wikiDataId"))
        g.alias(c["name"], idx)
    g.tier, tier = 1, g.tier
    for c in dr5hn:
        cap = c.get("capital")
        if cap:
            state = state_idx.get(cap)
            g.alias(cap, state if state is not None else g.entity(cap, "LOC", None))
    g.tier = tier
    wilayah = ents / "id_gazetteer/wilayah_edwardsamuel"
    for fname, col in [("provinces.csv", 1), ("regencies.csv", 2)]:
        with (wilayah / fname).open(encoding="utf-8") as fh:
            for fields in csv.reader(fh):
                name = fields[col].title()
                bare = re.sub(r"^(Kabupaten|Kota|Kab\.?)\s+", "", name)
                existing = g.folded.get(text_key(bare))
                idx = existing if existing is not None else g.entity(bare, "LOC", None)
                g.alias(name, idx)
                g.alias(bare, idx)


def add_parties(g: GazetteerBuilder, ents: Path) -> None:
    for row in read_csv(ents / "parties/partyfacts/wikipedia_wikidata.csv"):
        qid = row["wikidata_id"] or None
        idx = g.entity(row["name"], "ORG", qid)
        if len(tokenize(row["name"])) >= 2:
            g.alias(row["name"], idx)
        if row["name_native"] and len(tokenize(row["name_native"])) >= 2:
            g.alias(row["name_native"], idx)
        short = (row["name_short"] or "").replace("Partai/", "")
        if short and row["country"] in PARTY_ACRONYM_COUNTRIES and len(short) >= 3:
            g.alias(short, idx)


def add_brands(g: GazetteerBuilder, ents: Path) -> None:
    """Companies and brands with QIDs from the name-suggestion-index (banks, fuel, telecoms, shops…)."""
    seen: set[str] = set()
    for path in sorted((ents / "brands_nsi").rglob("*.json")):
        try:
            items = json.loads(path.read_text(encoding="utf-8")).get("items", [])
        except (json.JSONDecodeError, AttributeError):
            continue
        for item in items:
            tags = item.get("tags", {})
            qid = tags.get("brand:wikidata") or tags.get("operator:wikidata")
            name = tags.get("brand") or tags.get("operator") or tags.get("name")
            if not qid or not name or qid in seen:
                continue
            seen.add(qid)
            idx = g.entity(name, "ORG", qid)
            for alias in [name, tags.get("name"), tags.get("name:en"), tags.get("name:id")]:
                # Short all-caps brand acronyms mislink too often ("CNA" the insurer vs the broadcaster).
                if alias and len(alias) >= 3 and not (alias.isupper() and len(alias) <= CASED_MAX_LEN):
                    g.alias(alias, idx)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    ents = args.data / "entities"
    if not ents.is_dir():
        print(f"entity dictionaries not found under {ents}", file=sys.stderr)
        return 1
    g = GazetteerBuilder()
    by_iso = add_countries(g, ents)
    add_intl_orgs(g, ents)
    add_curated(g)
    g.tier = 2
    add_people(g, ents)
    g.tier = 3
    add_places(g, ents, by_iso)
    add_parties(g, ents)
    add_brands(g, ents)
    g.dump(args.out)
    print(
        f"{len(g.entities)} entities, {len(g.folded)} folded + {len(g.cased)} cased aliases "
        f"-> {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
