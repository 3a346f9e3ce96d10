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
    ("الخميس 12 شتنبر 2024 - 10:40", datetime(2024, 9, 12, 10, 40)),  # Moroccan
    ("8 يوليوز 2024", datetime(2024, 7, 8)),
    ("21 نونبر 2024", datetime(2024, 11, 21)),
    ("13 دجنبر 2023 - 21:10", datetime(2023, 12, 13, 21, 10)),
    ("3 غشت 2024", datetime(2024, 8, 3)),
    ("الخميس 13 جوان 2024", datetime(2024, 6, 13)),                    # Algerian / Tunisian
    ("10 أفريل 2024", datetime(2024, 4, 10)),
    ("الأربعاء 15 فيفري 2017", datetime(2017, 2, 15)),
    ("5 أوت 2024", datetime(2024, 8, 5)),
    ("20 جانفي 2024", datetime(2024, 1, 20)),
    ("15 أغشت 2024", datetime(2024, 8, 15)),                            # Mauritanian
    ("3 دجمبر 2023", datetime(2023, 12, 3)),
    ("28 أيلول 2023", datetime(2023, 9, 28)),                           # Levantine / Iraqi
    ("8 تشرين الأول 2024 - 03:20 م", datetime(2024, 10, 8, 15, 20)),
    ("25 شباط 2024", datetime(2024, 2, 25)),
    ("7 أغسطس/ آب 2024", datetime(2024, 8, 7)),                         # dual, the other way round
    ("الخميس، 11 يوليو 2024 09:40 م", datetime(2024, 7, 11, 21, 40)),  # Egyptian, evening
    ("الأحد ١٩ نوفمبر ٢٠٢٣ - ٠٩:٤٠ م", datetime(2023, 11, 19, 21, 40)),
    ("۱۲/۰۵/۲۰۲۴", datetime(2024, 5, 12)),                              # Persian digits, day first
    ("8 سبتمبر 2024م", datetime(2024, 9, 8)),
    ("Published On 24/7/2024", datetime(2024, 7, 24)),
    ("الأربعاء 10 رمضان 1445هـ", datetime(2024, 3, 20)),               # the weekday settles the Hijri day
    ("الأحد 5 ربيع الأول 1446هـ - 8 سبتمبر 2024م", datetime(2024, 9, 8)),
])
def test_dates_in_every_regional_system(raw, expected):
    assert date_parser().parse(raw) == expected


def test_text_without_a_date():
    assert date_parser().parse("قال المتحدث إن الاجتماع كان مثمرا") is None


def test_a_hijri_date_without_its_weekday_keeps_the_arithmetic_day():
    assert date_parser().parse("10 رمضان 1445هـ") == datetime(2024, 3, 19)
