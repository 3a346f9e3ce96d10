"""Dates as Arabic news prints them -> datetimes.

Month names come from `conf/data/months.yaml` (every regional system, plus Hijri months, converted with the
arithmetic Islamic calendar, which can differ from the Umm al-Qura calendar or a sighted month by a day: a
weekday printed with the date settles it). Matching is on the
match key, so Arabic-Indic digits and hamza-less spellings need no special case.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import cache

from builder.arabic import match_key
from builder.lists import WordLists, word_lists

_SUFFIX = r"(?:st|nd|rd|th)?"


def hijri_to_gregorian(year: int, month: int, day: int) -> datetime:
    """Arithmetic (tabular) Islamic calendar -> Gregorian, through the Julian day number."""
    jdn = day + int(29.5 * (month - 1) + 0.99) + (year - 1) * 354 + (3 + 11 * year) // 30 + 1948439 - 1
    a = jdn + 32044
    b = (4 * a + 3) // 146097
    c = a - 146097 * b // 4
    d = (4 * c + 3) // 1461
    e = c - 1461 * d // 4
    m = (5 * e + 2) // 153
    return datetime(100 * b + d - 4800 + m // 10, m + 3 - 12 * (m // 10), e - (153 * m + 2) // 5 + 1)


class DateParser:
    """Month tables and patterns from one `WordLists`: the names it looks up are the names its regexes find."""

    def __init__(self, lists: WordLists | None = None):
        lists = lists or word_lists()
        months, frag = lists.months, lists.fragments
        self.month = {match_key(n): k for k, names in months.gregorian.items() for n in names}
        self.hijri = {match_key(n): k for k, names in months.hijri.items() for n in names}
        self.pm = {match_key(n) for n in months.pm}
        self.weekday = {match_key(n).lower(): k for k, names in months.weekdays.items() for n in names}
        self.month_lower = {k.lower(): v for k, v in self.month.items()}
        ampm = f"{frag['am']}|{frag['pm']}"
        time = rf"(?:\s*[-–—,،|]?\s*(?:الساعه\s*)?(?P<H>\d{{1,2}})[:.](?P<M>\d{{2}})(?:\s*(?P<ampm>{ampm})(?!\w))?)?"
        self.patterns = [
            ("g", re.compile(rf"(?P<d>\d{{1,2}}){_SUFFIX}\s*[،,]?\s*(?P<m>{frag['month']})"
                             rf"(?:\s*/\s*(?:{frag['month']}))?\s*[،,]?\s*(?P<y>\d{{4}}){time}", re.I)),
            ("g", re.compile(rf"(?P<m>{frag['month']})\s+(?P<d>\d{{1,2}}){_SUFFIX}\s*,?\s*(?P<y>\d{{4}}){time}", re.I)),
            ("h", re.compile(rf"(?:(?P<wd>{frag['weekday']})\s*[،,-]?\s*)?(?P<d>\d{{1,2}})\s+"
                             rf"(?P<m>{frag['hijri_month']})\s+(?P<y>1[3-5]\d\d){time}", re.I)),
            ("n", re.compile(rf"(?P<y>\d{{4}})[-/.](?P<mo>\d{{1,2}})[-/.](?P<d>\d{{1,2}}){time}")),
            ("n", re.compile(rf"(?P<d>\d{{1,2}})[-/.](?P<mo>\d{{1,2}})[-/.](?P<y>\d{{4}}){time}")),
        ]

    def parse(self, text: str | None) -> datetime | None:
        if not text:
            return None
        iso = _iso(text)
        if iso:
            return iso
        key = match_key(text)
        for kind, pattern in self.patterns:
            for m in pattern.finditer(key):
                value = self._build(kind, m)
                if value:
                    return value
        return None

    def _build(self, kind: str, m: re.Match) -> datetime | None:
        try:
            year, day = int(m["y"]), int(m["d"])
            if kind == "h":
                date = self._weekday_fit(hijri_to_gregorian(year, self.hijri[m["m"]], day), m["wd"])
            else:
                month = int(m["mo"]) if kind == "n" else self.month_lower[m["m"].lower()]
                date = datetime(year, month, day)
            hour, minute = int(m["H"] or 0), int(m["M"] or 0)
            if m["ampm"] and m["ampm"] in self.pm and hour < 12:
                hour += 12
            elif m["ampm"] and m["ampm"] not in self.pm and hour == 12:
                hour = 0
            return date.replace(hour=hour, minute=minute)
        except (ValueError, KeyError):
            return None


    def _weekday_fit(self, date: datetime, weekday: str | None) -> datetime:
        """The printed weekday moves the arithmetic date by the one day a sighted month may differ."""
        if weekday is None:
            return date
        shift = (self.weekday[weekday.lower()] - date.weekday()) % 7
        return date + timedelta(days={1: 1, 6: -1}.get(shift, 0))


def _iso(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


@cache
def date_parser(lists: WordLists | None = None) -> DateParser:
    return DateParser(lists)
