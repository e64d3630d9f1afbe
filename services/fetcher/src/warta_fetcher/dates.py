"""Feed date parsing: every date normalised to UTC, and a date we cannot read is ``None``, never guessed.

feedparser's own chain ends in a lenient ISO-8601 handler that fills missing fields from the current
clock and lets ``mktime`` roll ``25:14`` into the next day, so a broken date silently becomes a
plausible wrong one. We keep feedparser's well-behaved handlers (RFC 822, asctime, Perforce, Greek)
and put our own anchored, range-checked ISO-8601 / W3DTF and Korean / Hungarian parsers in front.
"""

from __future__ import annotations

import calendar
import re
import time
from datetime import UTC, datetime, timedelta

from feedparser.datetimes.asctime import _parse_date_asctime
from feedparser.datetimes.greek import _parse_date_greek
from feedparser.datetimes.perforce import _parse_date_perforce
from feedparser.datetimes.rfc822 import _parse_date_rfc822

_TZ = r"(?P<tz>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)"
_TIME = (
    r"(?:[T ](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<frac>\d+))?)?\s*"
    + _TZ
    + "?)?"
)
# Anchored ISO-8601 calendar, ordinal and truncated forms (the ones feeds actually use).
_ISO_DATE_FORMS = [
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})",
    r"(?P<year>\d{4})-0(?P<month>\d{2})-(?P<day>\d{2})",  # 2003-012-31 (3-digit month seen in the wild)
    r"(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})",
    r"(?P<year>\d{4})-(?P<month>\d{2})",
    r"(?P<year>\d{4})-?(?P<ordinal>\d{3})",
    r"(?P<yy>\d{2})-?(?P<month>\d{2})-?(?P<day>\d{2})",
    # Two-digit-year ordinals ("03335") are left out on purpose: a bare 5-digit number in a date
    # field is far more often garbage than YYDDD, and we would rather drop a date than invent one.
    r"(?P<year>\d{4})",
    r"-(?P<yy>\d{2})-?(?P<month>\d{2})",
]
_ISO_RES = [re.compile(r"^" + form + _TIME + r"$") for form in _ISO_DATE_FORMS]

_KO_AM, _KO_PM = "\uc624\uc804", "\uc624\ud6c4"
_KO_NATE = re.compile(
    rf"^(\d{{4}})-(\d{{2}})-(\d{{2}})\s+({_KO_AM}|{_KO_PM})\s+(\d{{1,2}}):(\d{{1,2}}):(\d{{1,2}})$"
)
_KO_ONBLOG = re.compile(r"^(\d{4})\ub144\s+(\d{2})\uc6d4\s+(\d{2})\uc77c\s+(\d{2}):(\d{2}):(\d{2})$")
_HU_MONTHS = {
    "január": 1, "február": 2, "március": 3, "április": 4, "május": 5, "június": 6,
    "július": 7, "augusztus": 8, "szeptember": 9, "október": 10, "november": 11, "december": 12,
}  # fmt: skip
_HU = re.compile(r"^(\d{4})-([^-\d]+)-(\d{1,2})T(\d{1,2}):(\d{2})(?::(\d{2}))?([+-]\d{1,2}:\d{2})$")
_RFC822_NO_SPACE = re.compile(r"^([A-Za-z]{3}),(\S)")


def _offset(tz: str | None) -> timedelta:
    if not tz or tz in ("Z", "UTC", "GMT"):
        return timedelta(0)
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:4]) if len(digits) > 2 else 0
    if hours > 23 or minutes > 59:
        raise ValueError("offset out of range")
    return sign * timedelta(hours=hours, minutes=minutes)


def _century_year(yy: str) -> int:
    # ISO 8601 two-digit years are in the current century (feedparser does the same).
    return 100 * (time.gmtime().tm_year // 100) + int(yy)


def _parse_iso(value: str) -> datetime | None:
    for regex in _ISO_RES:
        m = regex.match(value)
        if not m:
            continue
        g = m.groupdict()
        year = int(g["year"]) if g.get("year") else _century_year(g["yy"])
        if g.get("ordinal"):
            ordinal = int(g["ordinal"])
            if not 1 <= ordinal <= (366 if calendar.isleap(year) else 365):
                return None
            base = datetime(year, 1, 1) + timedelta(days=ordinal - 1)
            month, day = base.month, base.day
        else:
            month = int(g["month"]) if g.get("month") else 1
            day = int(g["day"]) if g.get("day") else 1
        hour = int(g["hour"]) if g.get("hour") else 0
        minute = int(g["minute"]) if g.get("minute") else 0
        second = int(g["second"]) if g.get("second") else 0
        if hour == 24 and minute == 0 and second == 0:  # ISO allows 24:00 = end of day
            local = datetime(year, month, day) + timedelta(days=1)
        else:
            if second > 60:
                return None
            # second 60 = leap second, clamped; anything else out of range raises
            local = datetime(year, month, day, hour, minute, min(second, 59))
        return (local - _offset(g.get("tz"))).replace(tzinfo=UTC)
    return None


def _parse_korean(value: str) -> datetime | None:
    m = _KO_NATE.match(value)
    if m:
        hour = int(m.group(5)) + (12 if m.group(4) == _KO_PM and int(m.group(5)) < 12 else 0)
        local = datetime(
            int(m.group(1)), int(m.group(2)), int(m.group(3)), hour, int(m.group(6)), int(m.group(7))
        )
        return (local - timedelta(hours=9)).replace(tzinfo=UTC)
    m = _KO_ONBLOG.match(value)
    if m:
        year, month, day, hour, minute, second = (int(x) for x in m.groups())
        local = datetime(year, month, day, hour, minute, second)
        return (local - timedelta(hours=9)).replace(tzinfo=UTC)
    return None


def _parse_hungarian(value: str) -> datetime | None:
    m = _HU.match(value)
    if not m or m.group(2).lower() not in _HU_MONTHS:
        return None
    local = datetime(
        int(m.group(1)), _HU_MONTHS[m.group(2).lower()], int(m.group(3)), int(m.group(4)), int(m.group(5)),
        int(m.group(6) or 0),
    )  # fmt: skip
    return (
        local - _offset(m.group(7) if len(m.group(7)) == 6 else m.group(7)[0] + "0" + m.group(7)[1:])
    ).replace(tzinfo=UTC)


def _from_struct(t: time.struct_time | tuple | None) -> datetime | None:
    if not t:
        return None
    year, month, day, hour, minute, second = (int(x) for x in t[:6])
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def _parse_with_feedparser(value: str) -> datetime | None:
    candidates = [value]
    fixed = _RFC822_NO_SPACE.sub(r"\1, \2", value)  # "Fri,24 Nov 2023" is common and unambiguous
    if fixed != value:
        candidates.append(fixed)
    for candidate in candidates:
        for handler in (_parse_date_rfc822, _parse_date_asctime, _parse_date_perforce, _parse_date_greek):
            try:
                parsed = _from_struct(handler(candidate))
            except (KeyError, OverflowError, ValueError, AttributeError, TypeError, IndexError):
                continue
            if parsed is not None:
                return parsed
    return None


def parse_feed_date(value: str | None) -> datetime | None:
    """Parse a feed/page date string into an aware UTC datetime, or ``None`` when it cannot be read.

    Never invents missing parts from the current clock and never rolls out-of-range fields over.
    """
    if not value:
        return None
    value = " ".join(value.split())
    if not value:
        return None
    for parser in (_parse_iso, _parse_korean, _parse_hungarian, _parse_with_feedparser):
        try:
            parsed = parser(value)
        except (ValueError, OverflowError, KeyError, IndexError):
            parsed = None
        if parsed is not None:
            return parsed
    return None


def to_utc(value: datetime | None) -> datetime | None:
    """Aware UTC datetime; naive input is taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
