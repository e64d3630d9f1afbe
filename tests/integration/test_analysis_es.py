"""The analyser's terms survive Elasticsearch's tokenizer unchanged (positions included)."""

from __future__ import annotations

import pytest

from warta.analysis.analyzer import analyze
from warta.elastic import ensure_indices, make_es

pytestmark = pytest.mark.integration

SAMPLES = [
    ("id", "Para Menlu NATO Bahas Bantuan Musim Dingin Untuk Kyiv; negara-negara anggota (G7) 30/11"),
    ("en", "Zelenskyy’s aides didn't say; COVID-19 cases rose 3.5% in the U.S. e-mail user@example.com"),
    ("fr", "L'économie française : « Ça va », dit-il à Montréal — 1 000 €"),
    ("de", "Straße, Grüße und Öl-Preise über 100 Dollar"),
    ("ru", "Москва заявила, что переговоры продолжатся"),
    ("ar", "قال الأمين العام لحلف الناتو"),
    ("zh", "北京欢迎你abc東京123"),
    ("ja", "東京オリンピックはカタカナとひらがな"),
    ("th", "ประเทศไทยมีการเลือกตั้ง"),
    ("ko", "서울에서 회담이 열렸다"),
    ("hi", "प्रधानमंत्री ने कहा"),
]


@pytest.mark.parametrize(("lang", "text"), SAMPLES)
def test_terms_are_single_tokens_for_the_index_analyzer(stack, test_namespace, lang, text):
    es = make_es(stack.es_url)
    ensure_indices(es, test_namespace)
    terms = analyze(text, lang)
    resp = es.indices.analyze(
        index=f"{test_namespace}-articles", analyzer="warta_terms", text=" ".join(terms)
    )
    assert [t["token"] for t in resp["tokens"]] == terms
