from datetime import datetime

import pytest

from builder.dates import date_parser


@pytest.mark.parametrize(("raw", "expected"), [
    ("19th, September 2024 GMT", datetime(2024, 9, 19)),
    ("19 شتنبر 2024 - 11:52 ص", datetime(2024, 9, 19, 11, 52)),      # Moroccan month, morning
    ("12 دجنبر، 2025", datetime(2025, 12, 12)),                       # Arabic comma
    ("2 أيار 2024 - 09:30 م", datetime(2024, 5, 2, 21, 30)),          # Levantine month, evening
    ("24 تشرين الأول/أكتوبر 2023", datetime(2023, 10, 24)),           # dual form
    ("19 جويلية 2023", datetime(2023, 7, 19)),                        # Algerian/Tunisian
    ("3 ابريل 2024", datetime(2024, 4, 3)),                           # hamza-less
    ("١٢ مايو ٢٠٢٤", datetime(2024, 5, 12)),                          # Arabic-Indic digits
    ("الثلاثاء، 5 ربيع الأول 1446 هـ", datetime(2024, 9, 8)),         # Hijri
    ("2024-03-05T09:30:00+03:00", datetime(2024, 3, 5, 6, 30)),       # ISO with offset -> UTC
    ("September 19, 2024", datetime(2024, 9, 19)),
])
def test_dates_in_every_regional_system(raw, expected):
    assert date_parser().parse(raw) == expected


def test_text_without_a_date():
    assert date_parser().parse("قال المتحدث إن الاجتماع كان مثمرا") is None
