"""Each per-document stage on a page written inline: what goes in, what comes out."""

from builder.document import Doc, Drop
from builder.stages.language import LanguageFilter
from builder.stages.repair import _CONTINUED, _MOJIBAKE, _OPENS, Repair, opens
from builder.stages.segment import Segmenter
from conftest import SENTENCES

BODY = "\n".join("، ".join(SENTENCES[i : i + 3]) + "." for i in range(0, 9, 3))


def page(text: str) -> Doc:
    return Doc(id="p", source_file="page.txt", text=text)


def test_teasers_in_the_middle_are_dropped_and_the_article_goes_on():
    text = "\n".join(["عنوان الخبر الرئيسي", SENTENCES[0] + ".", "اقرأ أيضا:", "عنوان تشويقي أول",
                      "عنوان تشويقي ثان", "عنوان تشويقي ثالث", SENTENCES[1] + "."])
    [doc] = Segmenter().process(page(text))
    assert doc.title == "عنوان الخبر الرئيسي"
    assert doc.text.split("\n") == [SENTENCES[0] + ".", SENTENCES[1] + "."]
    assert [r.rule for r in doc.removed].count("read_also.teaser") == 3


def test_a_complete_article_under_read_also_becomes_its_own_document():
    text = "\n".join(["عنوان الخبر الرئيسي", SENTENCES[0] + ".", "إقرأ أيضاً:", "عنوان الخبر الثاني", BODY])
    first, second = Segmenter().process(page(text))
    assert (first.title, second.title) == ("عنوان الخبر الرئيسي", "عنوان الخبر الثاني")
    assert second.text == BODY and second.id != first.id
    assert second.removed[0].rule == "read_also.heading"


def test_repair_undoes_cp1256_mojibake_and_strips_controls_but_keeps_spelling():
    original = "أعلنت وزارة النقل عن افتتاح خط جديد للحافلات في بغداد"
    mojibake = original.encode("utf-8").decode("cp1256")
    assert mojibake.startswith("ط£ط¹ظ„ظ†طھ")
    assert Repair().repair(mojibake) == original
    assert Repair().repair("الحـــكومة\u200f تعلن\u202b «قرارا» ١٢") == "الحكومة تعلن «قرارا» ١٢"
    # plain Arabic has ط and ظ before letters, but only mojibake has them before a UTF-8 continuation byte's character
    plain = "مصطفى يطالب بنظام يضبط الطقس"
    assert len(_MOJIBAKE.findall(plain)) >= 3 and not _CONTINUED.findall(plain)
    assert len(_CONTINUED.findall(mojibake)) >= len(_MOJIBAKE.findall(mojibake))  # every pair, ظˆ too


def test_a_line_that_ends_on_an_opening_mark_is_found_from_its_last_characters():
    for line in ["قال «", "قال: \"", "انتهى. \"", "(", "\"", "قال (\n", "قال \"\n", "قال.", ""]:
        assert opens(line) == bool(_OPENS.search(line)), line


def test_language_keeps_arabic_and_names_what_it_drops():
    lang = LanguageFilter()
    assert lang.process(page(BODY)).lang == "ar"
    digits = page("12 دجنبر، 2025 - 11:52 ص")  # langdetect alone calls this Persian
    assert lang.detect(digits.text)[0] == "ar"
    persian = "وزیر امور خارجه ایران گفت که گفتگوها با کشورهای همسایه ادامه پیدا می‌کند و نتیجه خوبی خواهد داشت"
    assert lang.process(page(persian)) == Drop("lang_fa", lang.process(page(persian)).detail)
    urdu = "وزیر اعظم نے کہا کہ حکومت عوام کی فلاح کے لیے نئے منصوبے شروع کرے گی اور مہنگائی کم کرنے پر توجہ دے گی"
    assert lang.detect(urdu)[0] == "ur"
    assert lang.detect("The ministry said the new bus line will open next month in the capital.")[0] == "en"


def test_a_single_teaser_at_the_end_of_the_page_is_dropped():
    text = "\n".join(["عنوان الخبر الرئيسي", BODY, "أخبار متعلقة:", "عنوان تشويقي وحيد"])
    [doc] = Segmenter().process(page(text))
    assert doc.text == BODY
    assert [r.rule for r in doc.removed] == ["read_also.heading", "read_also.teaser", "title.first_line"]


def test_after_one_teaser_the_page_s_own_story_goes_on():
    rest = "و" + BODY  # "وأعلنت ...": a continuation, not a story that opens
    text = "\n".join(["عنوان الخبر الرئيسي", SENTENCES[0] + ".", "اقرأ أيضا:", "عنوان تشويقي", rest])
    [doc] = Segmenter().process(page(text))
    assert doc.text.split("\n") == [SENTENCES[0] + ".", *rest.split("\n")]


def test_an_article_under_read_also_is_known_by_its_own_date_line():
    text = "\n".join(["عنوان الخبر الرئيسي", SENTENCES[0] + ".", "إقرأ أيضاً:", "عنوان الخبر الثاني",
                      "12 دجنبر، 2025", "و" + BODY])
    first, second = Segmenter().process(page(text))
    assert first.text == SENTENCES[0] + "."
    assert second.title == "عنوان الخبر الثاني" and second.text.startswith("12 دجنبر، 2025\n")


def test_repair_keeps_a_dash_written_as_a_tatweel_and_leaves_plain_text_to_itself():
    assert Repair().repair("كتب ـ محمد عنز: قال الحزب ـ في بيان ـ إن الحـــكومة") == \
        "كتب - محمد عنز: قال الحزب - في بيان - إن الحكومة"
    assert Repair().repair("نص عربي عادي\nبلا رموز") == "نص عربي عادي\nبلا رموز"
    assert Repair().repair("Ø§Ù„Ø¹Ø±Ø§Ù‚ و&amp; رمز") == "العراق و& رمز"  # UTF-8 read as cp1252: ftfy's case


def test_a_headline_under_a_breadcrumb_and_a_site_line_is_the_title():
    doc = Segmenter().process(page("الرئيسية > محليات\nبلدية إربد تطرح عطاء صيانة الحدائق\n" + BODY))[0]
    assert doc.title == "بلدية إربد تطرح عطاء صيانة الحدائق"
    assert [r.rule for r in doc.removed] == ["breadcrumb.trail", "title.first_line"]
    assert doc.text == BODY
