"""Feed dates: UTC, and never guessed."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest

from tests.unit.fetcher.conftest import SHARED_DATA
from warta_fetcher.dates import parse_feed_date

DATE_TABLE = SHARED_DATA / "feeds" / "feedparser_date_cases.tsv"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Sat, 21 Nov 2026 10:00:00 +0700", datetime(2026, 11, 21, 3, 0, tzinfo=UTC)),
        ("2026-11-21T10:00:00Z", datetime(2026, 11, 21, 10, 0, tzinfo=UTC)),
        ("2026-11-21T10:00:00.123-05:00", datetime(2026, 11, 21, 15, 0, tzinfo=UTC)),
        ("2026-11-21", datetime(2026, 11, 21, tzinfo=UTC)),
        ("Fri,24 Nov 2023 18:28:36 -0000", datetime(2023, 11, 24, 18, 28, 36, tzinfo=UTC)),
    ],
)
def test_common_feed_dates_become_utc(raw: str, expected: datetime) -> None:
    assert parse_feed_date(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["2003-12-31T25:14:55Z", "2013-xx-27", "22013", "Sun, 99 Jun 2009 12:00:00 GMT", "yesterday", "", None],
)
def test_unreadable_dates_are_none_not_guessed(raw: str | None) -> None:
    assert parse_feed_date(raw) is None


@pytest.mark.skipif(not DATE_TABLE.exists(), reason="shared date table not available")
def test_date_table_at_least_95_percent_and_nothing_invented() -> None:
    rows = list(csv.reader(DATE_TABLE.open(encoding="utf-8"), delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
    right = invented = 0
    for _family, raw, expected in rows:
        parsed = parse_feed_date(raw)
        got = "" if parsed is None else f"{parsed.year:04d}-{parsed.strftime('%m-%dT%H:%M:%S')}Z"
        right += got == expected
        invented += bool(got) and not expected
    assert right / len(rows) >= 0.95
    assert invented == 0
