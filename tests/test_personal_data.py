"""Personal data: e-mails, public IPs and (opt-in) phone numbers in Arabic pages replaced and audited; the numbers
of news (dates, scores, times, prices, law numbers, years, ids) left as they are; contact boxes cut as furniture."""

import json
import random
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from builder.config import PersonalDataConfig
from builder.document import Doc
from builder.rules import RuleSet
from builder.stages.personal_data import PersonalData, shape_of
from conftest import article, build, write_jsonl

EMAILS = ["ahmed.hassan@gmail.com", "info@masrawy.com", "Sara_Ali-2013@yahoo.co.uk", "Editor@Ahram.org.EG",
          "news.desk@alwatan.com.eg"]
IPS = ["41.33.120.5", "197.45.12.200", "2a00:1450:4001:81b::200e", "2001:4860:4860::8888"]
PHONES = [
    "01012345678", "٠١٠١٢٣٤٥٦٧٨", "۰۱۲ ۳۴۵۶ ۷۸۹۰", "0100-123-4567", "0115 234 5678",  # Egypt, local
    "+20 10 1234 5678", "+٢٠ ١٠ ١٢٣٤ ٥٦٧٨", "+20 (0) 2 2345 6789", "00201001234567",  # Egypt, international
    "00966501234567", "+966 50 123 4567", "٠٥٥ ٩٨٧ ٦٥٤٣", "050-765-4321",  # Saudi Arabia
    "(+971) 50 123 4567", "00971-50-123-4567", "+٩٧١ ٥٦ ٧٨٩ ٠١٢٣",  # UAE
    "+962 79 123 4567", "+212 6 12 34 56 78", "+44 20 7765 0211", "00447900040407",
]
# Numbers news is made of: none is personal data, none may change (phones on).
NEWS_NUMBERS = [
    "فاز الأهلي 3-1 على الزمالك", "انتهت المباراة بنتيجة ٢-٠", "وتعادل الفريقان (2-2) في الذهاب",
    "يوم 15-10-2024", "بتاريخ 2024/10/15", "في 15.10.2024", "في ١٥/١٠/٢٠٢٤", "الأحد 12 مايو 2024",
    "الساعة 10:30 صباحا", "الساعة ٩:٤٥ مساء", "في تمام 21:15:30",
    "بقيمة 1,500,000 جنيه", "بسعر 2.5 مليون دولار", "نحو 1.500.000 جنيه", "بمبلغ ٣٥٠٠ جنيه", "150 ألف ريال",
    "القانون رقم 10 لسنة 2024", "القرار الجمهوري رقم 136 لسنة 2013", "المادة 76 من الدستور",
    "خلال الفترة 2010-2014", "للأعوام (2013 - 2015)", "بين ١٩٩٠-٢٠٢٠", "عام 2013",
    "الرقم القومي 29505012110492", "القضية رقم 1234 لسنة 2013 جنايات", "رقم الجلوس 0501234567",
    "رقم المحضر 01098765432", "الترقيم الدولي ISBN 978-977-09-1234-5", "رقم الحساب 0123456789012",
    "يبلغ عدد السكان 104 مليون نسمة", "بنسبة 25.5%", "الخط الساخن 19777", "الشبكة المحلية 192.168.1.1",
    "الخادم 10.0.0.1", "الإصدار 3.5.1", "حساب @AhmedHassan على تويتر",
]
CONTACT_BOXES = ["للتواصل مع الكاتب: writer.one@gmail.com", "راسلنا على: tips@almasryalyoum.com",
                 "للتواصل والاستفسار: 0122 333 4444", "لمراسلة الباب", "wbadran3@yahoo.com"]


# Sentences that say an item, each a different one: a page saying several in one frame would be a repetition.
FRAMES = [
    "وقال المتحدث باسم الوزارة إن المواطنين يمكنهم التواصل عبر {} لتقديم الشكاوى والمقترحات.",
    "وأوضح مدير المكتب أن الرد على الاستفسارات يتم من خلال {} طوال أيام الأسبوع.",
    "وأشار البيان إلى {} باعتباره الوسيلة المعتمدة لتلقي الطلبات من الجمهور.",
    "ولفتت المصادر إلى أن الجهة المنظمة خصصت {} لاستقبال البلاغات العاجلة.",
    "ودعت اللجنة الراغبين في المشاركة إلى استخدام {} قبل نهاية الشهر الجاري.",
    "وأكد رئيس الجمعية أن {} سيظل متاحا للأعضاء حتى انتهاء الدورة الحالية.",
]


def page(title: str, url: str, items: list[str], rng: random.Random) -> dict:
    """A news article with each item said in a sentence of its own, as a reader would find it on a page."""
    said = [FRAMES[k % len(FRAMES)].format(item) for k, item in enumerate(items)]
    body = article(rng).split("\n")
    return {"title": title, "url": url, "text": "\n".join([*body[:2], *said, *body[2:]])}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    rng, tmp = random.Random(11), tmp_path_factory.mktemp("pii")
    planted = [*EMAILS, *IPS, *PHONES]
    # a site each (a site's frames on every page would be learned as its template and cut)
    pages = [page(f"الوزارة تعلن عن خدمة جديدة للمواطنين رقم {i}", f"https://news-{i}.example/2024/{i}",
                  planted[i::10], rng) for i in range(10)]
    pages += [page(f"تقرير اقتصادي ورياضي {k}", f"https://numbers-{k}.example/2024/{k}", NEWS_NUMBERS[k::6], rng)
              for k in range(6)]
    pages.append({"title": "مقال رأي عن التعليم", "url": "https://opinion.example/2024/1",
                  "text": "\n".join([article(rng), *CONTACT_BOXES])})
    out = tmp / "out"
    build(write_jsonl(tmp / "pages.jsonl", pages), out, "personal_data.phones=true", "near_dup.enabled=false")
    return out


def kept_rows(out: Path) -> list[dict]:
    return [r for f in sorted((out / "data").glob("*.parquet")) for r in pq.read_table(f).to_pylist()]


def test_every_planted_email_ip_and_phone_is_replaced_and_audited(corpus):
    rows = kept_rows(corpus)
    assert len(rows) == 17  # no page was lost on the way
    texts = "\n".join(r["text"] for r in rows)
    audit = {(s["rule"], s["text"]) for r in rows for s in r["removed"]}
    published = json.dumps(rows, ensure_ascii=False, default=str)  # the removed column is published too
    for kind, items in (("email", EMAILS), ("ip", IPS), ("phone", PHONES)):
        for item in items:
            assert item not in published, f"{item} is still in the published rows"
            assert (f"personal_data.{kind}", shape_of(item)) in audit, f"{item} is not audited as {kind}"
    assert texts.count("email@example.com") == len(EMAILS)
    assert texts.count("192.0.2.1") + texts.count("2001:db8::1") == len(IPS)
    assert texts.count("+000 000 0000") == len(PHONES)


def test_the_numbers_of_news_are_left_alone(corpus):
    texts = "\n".join(r["text"] for r in kept_rows(corpus))
    damaged = [n for n in NEWS_NUMBERS if n not in texts]
    assert not damaged


def test_replacements_are_counted_and_the_card_shows_counts_not_values(corpus):
    stats = json.loads((corpus / "stats.json").read_text(encoding="utf-8"))
    [stage] = [s for s in stats["stages"] if s["stage"] == "personal_data"]
    assert stage["notes"] == {"replaced:email": len(EMAILS), "replaced:ip": len(IPS), "replaced:phone": len(PHONES)}
    card = (corpus / "README.md").read_text(encoding="utf-8")
    assert "### Personal data" in card
    assert f"| phone | {len(PHONES)} |" in card
    leaked = [v for v in [*EMAILS, *IPS, *PHONES, "writer.one@gmail.com", "0122 333 4444"] if v in card]
    assert not leaked


def test_contact_boxes_are_furniture(corpus):
    [page] = [r for r in kept_rows(corpus) if r["url"].startswith("https://opinion.")]
    cut = {s["text"]: s["rule"] for s in page["removed"]}
    assert {box: cut.get(box, "").split(".")[0] for box in CONTACT_BOXES} == dict.fromkeys(CONTACT_BOXES, "contact")
    assert not any(box in page["text"] for box in CONTACT_BOXES)


@pytest.mark.parametrize("sentence", [
    "للتواصل مع المواطنين أطلقت الوزارة منصة جديدة على الإنترنت خلال عام 2013.",
    "راسلنا على الفور كل الجهات المعنية بالأمر ولم نتلق ردا حتى الآن.",
    "للاستفسار عن نتائج عامي 2013 2014 توجه أولياء الأمور إلى المدارس.",
    "البريد الإلكتروني أصبح وسيلة التواصل الأولى بين الموظفين في الوزارة.",
    "1500000",
])
def test_sentences_that_open_like_a_contact_box_are_kept(sentence):
    assert RuleSet.load("boilerplate.yaml").first_match(sentence, lead=False) is None


def doc(text: str) -> Doc:
    return Doc(id="d", source_file="f", text=text)


def test_by_default_phones_stay_and_private_addresses_are_nobodys():
    text = "راسلونا على desk@example-news.com أو اتصلوا على 01012345678، الخادم 41.33.120.5 والمحلي 192.168.1.1"
    out = PersonalData().process(doc(text))
    assert out.text == ("راسلونا على email@example.com أو اتصلوا على 01012345678، الخادم 192.0.2.1 والمحلي "
                        "192.168.1.1")
    assert [(r.rule, r.text) for r in out.removed] == [("personal_data.email", "xxxx@xxxxxxx-xxxx.xxx"),
                                                        ("personal_data.ip", "00.00.000.0")]


def test_a_phone_shape_other_numbers_share_needs_a_phone_cue():
    stage = PersonalData(PersonalDataConfig(phones=True))
    assert stage.process(doc("وبلغ عدد الناخبين 0223456789 ناخبا")).removed == []  # a landline's shape, no cue
    cued = stage.process(doc("ويمكن الاتصال بالهاتف 02 2345 6789 للاستفسار"))
    assert [r.text for r in cued.removed] == ["00 0000 0000"]


def test_replacing_twice_changes_nothing_more():
    stage = PersonalData(PersonalDataConfig(phones=True))
    once = stage.process(doc(" و ".join([*EMAILS, *IPS, *PHONES]))).text
    assert stage.process(doc(once)).removed == []
