"""Dates and times as Arabic news pages print them: regional month names, Hijri dates (tabular calendar, which
sites' own converters also use and which may differ from Umm al-Qura by a day), Eastern-Arabic or Western digits,
12-hour clocks with Arabic or Latin markers, ISO stamps for meta tags."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

EASTERN = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def eastern(text: str) -> str:
    return text.translate(EASTERN)


def hijri(day: date) -> tuple[int, int, int]:
    """(year, month, day) in the tabular Islamic calendar (Kuwaiti algorithm)."""
    jd = day.toordinal() + 1721425
    n_l = jd - 1948440 + 10632
    n = (n_l - 1) // 10631
    n_l = n_l - 10631 * n + 354
    j = ((10985 - n_l) // 5316) * ((50 * n_l) // 17719) + (n_l // 5670) * ((43 * n_l) // 15238)
    n_l = n_l - ((30 - j) // 15) * ((17719 * j) // 50) - (j // 16) * ((15238 * j) // 43) + 29
    m = (24 * n_l) // 709
    d = n_l - (709 * m) // 24
    return 30 * n + j - 30, m, d


def random_moment(rng: random.Random) -> datetime:
    """A publication moment in 2023-2024, local time of the site."""
    start = datetime(2023, 1, 1, 6, 0)
    return start + timedelta(days=rng.randrange(730), minutes=rng.randrange(16 * 60))


class DateWriter:
    """Formats one site's dates; the pools (month systems, weekdays, Hijri months) come from pools.yaml."""

    def __init__(self, pools: dict) -> None:
        self.months = pools["months"]
        self.hijri_months = pools["hijri_months"]
        self.weekdays = pools["weekdays"]

    def weekday(self, moment: datetime) -> str:
        return self.weekdays[moment.weekday()]

    def long(self, moment: datetime, system: str, weekday: bool = False, digits: str = "western") -> str:
        """'الأحد 21 يناير 2024' style."""
        text = f"{moment.day} {self.months[system][moment.month - 1]} {moment.year}"
        if weekday:
            text = f"{self.weekday(moment)} {text}"
        return eastern(text) if digits == "eastern" else text

    def hijri_long(self, moment: datetime, digits: str = "western") -> str:
        y, m, d = hijri(moment.date())
        text = f"{d} {self.hijri_months[m - 1]} {y}"
        return eastern(text) if digits == "eastern" else text

    @staticmethod
    def numeric(moment: datetime, order: str = "dmy", sep: str = "/", digits: str = "western") -> str:
        parts = {"d": f"{moment.day:02d}", "m": f"{moment.month:02d}", "y": f"{moment.year}"}
        text = sep.join(parts[c] for c in order)
        return eastern(text) if digits == "eastern" else text

    @staticmethod
    def clock(moment: datetime, style: str = "24", digits: str = "western") -> str:
        """'14:35', '02:35 م', '02:35 مساءً', '2:35 PM'."""
        if style == "24":
            text = f"{moment.hour:02d}:{moment.minute:02d}"
        else:
            h = moment.hour % 12 or 12
            pm = moment.hour >= 12
            marker = {"ar": "م" if pm else "ص", "ar_long": "مساءً" if pm else "صباحاً", "latin": "PM" if pm else "AM"}
            hour = f"{h}" if style == "latin" else f"{h:02d}"
            text = f"{hour}:{moment.minute:02d} {marker[style]}"
        return eastern(text) if digits == "eastern" else text

    @staticmethod
    def iso(moment: datetime, offset_hours: int) -> str:
        return moment.replace(tzinfo=timezone(timedelta(hours=offset_hours))).isoformat()

    @staticmethod
    def utc_date(moment: datetime, offset_hours: int) -> str:
        """The UTC calendar date of a local moment: a build may store published in UTC."""
        return (moment - timedelta(hours=offset_hours)).date().isoformat()
