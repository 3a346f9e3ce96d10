"""Cleaning as an editor would do it: a page in, through the build's own extract -> metadata stages, and the
article that comes out, with its fields. One page per regional style and per boilerplate class."""

from datetime import datetime

import pytest

from builder.document import Doc
from builder.pipeline import build_stages
from builder.stats import StageStats
from conftest import typed_config

STORY = ("أعلنت وزارة النقل عن افتتاح خط جديد للحافلات يربط وسط المدينة بالأحياء الشرقية خلال الشهر المقبل، "
         "في إطار خطة لتخفيف الازدحام في ساعات الذروة.")
MORE = "وقال المتحدث باسم الوزارة إن الخط الجديد سيعمل من السادسة صباحا حتى منتصف الليل طوال أيام الأسبوع."
LAST = "ودعت الوزارة المواطنين إلى الالتزام بالتعليمات واستخدام التطبيق الإلكتروني لمعرفة مواعيد الرحلات."


@pytest.fixture(scope="module")
def stages():
    return build_stages(typed_config("stages=[extract,repair,segment,clean,metadata]"))


def clean(stages, text: str | None = None, html: str | None = None) -> list[Doc]:
    """The documents a page becomes, through the stages as the build runs them (a dropped page: none)."""
    docs = iter([Doc(id="p", source_file="page", text=text or "", html=html)])
    for stage in stages:
        docs = stage.run(docs, StageStats(stage.name), [])
    return list(docs)


def page(*lines: str) -> str:
    return "\n".join(lines)


def test_egyptian_page_keeps_only_the_story(stages):
    [doc] = clean(stages, page(
        "محافظة الجيزة تبدأ رصف 12 شارعا في العمرانية",
        "كتب - أحمد سمير:",
        "تاريخ النشر: 5 مارس 2024 - 10:15 ص",
        STORY, "صورة أرشيفية", MORE,
        "لقراءة تفاصيل الخبر اضغط هنا",
        "© جميع الحقوق محفوظة لموقع مصراوي 2024",
    ))
    assert doc.title == "محافظة الجيزة تبدأ رصف 12 شارعا في العمرانية"
    assert doc.text.split("\n\n") == [STORY, MORE]
    assert (doc.byline, doc.published) == ("أحمد سمير", datetime(2024, 3, 5, 10, 15))
    assert [r.kind for r in doc.removed] == ["title", "byline", "published", "caption", "promo", "copyright"]


def test_masrawy_city_reporter_line_and_agency_in_the_byline(stages):
    [doc] = clean(stages, page("عنوان الخبر", "المنيا - محمد جودة:", STORY, MORE))
    assert (doc.dateline, doc.byline, doc.text.split("\n\n")) == ("المنيا", "محمد جودة", [STORY, MORE])
    [doc] = clean(stages, page("عنوان الخبر", "كتب - محمد محروس وأ ش أ :", STORY))
    assert doc.text == STORY and doc.credit == "mena"


def test_gulf_wire_story_hijri_date_agency_dateline_and_end_marks(stages):
    [doc] = clean(stages, page(
        "«البلديات»: تشغيل 15 حديقة جديدة في الرياض",
        "الأربعاء 10 رمضان 1445هـ",
        "الرياض - واس " + STORY, MORE,
        "// انتهى //", "ع ا / ح م",
        "لمتابعة آخر الأخبار انضم إلى قناتنا على تيليجرام",
    ))
    assert doc.text.split("\n\n") == [STORY, MORE]
    # the arithmetic calendar says Tuesday 19 March; the printed Wednesday settles it
    assert (doc.published, doc.dateline, doc.credit) == (datetime(2024, 3, 20), "الرياض", "spa")


def test_agency_datelines_that_carry_their_date(stages):
    [doc] = clean(stages, page("عنوان", "رام الله 12-5-2024 وفا- " + STORY))
    assert (doc.text, doc.dateline, doc.credit, doc.published) == (STORY, "رام الله", "wafa", datetime(2024, 5, 12))
    [doc] = clean(stages, page("عنوان", "مسقط في 12 مايو /العمانية/ - " + STORY, "/العمانية/", "ع خ"))
    assert (doc.text, doc.credit, doc.published) == (STORY, "ona", None)  # no year printed, no date guessed


def test_iraqi_update_line_glued_to_the_dateline_and_the_first_sentence(stages):
    [doc] = clean(stages, page(
        "التجارة تعلن توزيع حصة إضافية من الطحين",
        "تاريخ النشر: 8th, October 2024 GMT",
        "آخر تحديث: 8 تشرين الأول 2024 - 03:20 م بغداد/ شبكة أخبار العراق- " + STORY,
        "المصدر: شبكة اخبار العراق",
        "About Post Author سيف الدينSee author's posts",
    ))
    assert doc.text == STORY
    assert (doc.published, doc.updated) == (datetime(2024, 10, 8), datetime(2024, 10, 8, 15, 20))
    assert (doc.dateline, doc.credit) == ("بغداد", "شبكة اخبار العراق")


def test_levantine_outlet_city_datelines(stages):
    [doc] = clean(stages, page("عنوان", "السومرية نيوز/ البصرة " + STORY))
    assert (doc.text, doc.dateline, doc.credit) == (STORY, "البصرة", "السومرية نيوز")
    [doc] = clean(stages, page("عنوان", "الأحد 9 حزيران 2024", "عنب بلدي – حمص " + STORY))
    assert (doc.text, doc.dateline, doc.published) == (STORY, "حمص", datetime(2024, 6, 9))
    [doc] = clean(stages, page("عنوان", "اللاذقية- " + STORY))
    assert (doc.text, doc.dateline) == (STORY, "اللاذقية")


def test_maghrebi_lone_byline_name_month_and_city_colon(stages):
    [doc] = clean(stages, page("عنوان", "نادية بن علي", "19 جويلية 2023", "بجاية: " + STORY,
                               "التفاصيل الكاملة هنا", "جميع الحقوق محفوظة © الشروق أونلاين 2023"))
    assert (doc.text, doc.byline, doc.dateline, doc.published) == (STORY, "نادية بن علي", "بجاية",
                                                                    datetime(2023, 7, 19))


def test_mauritanian_outlet_and_city_in_brackets_under_a_breadcrumb_and_over_tags(stages):
    [doc] = clean(stages, page("عنوان", "الرئيسية » أخبار » محليات", "الاثنين 15 يوليو 2024",
                               "الأخبار (نواكشوط) – " + STORY, "وسوم: الموانئ، نواكشوط، التجارة"))
    assert (doc.text, doc.dateline, doc.credit) == (STORY, "نواكشوط", "الأخبار")
    assert [r.kind for r in doc.removed] == ["title", "breadcrumb", "published", "dateline", "tags"]


def test_the_agency_wins_over_the_outlet_that_ran_its_story(stages):
    [doc] = clean(stages, page(
        "الفاو: أسعار الغذاء ترتفع للشهر الثالث",
        "أبوظبي - سكاي نيوز عربية",
        "الجمعة 7 يونيو 2024 - 13:05",
        "روما (أ ف ب) - " + STORY,
        "المصدر: سكاي نيوز عربية - أ ف ب",
        "شارك الخبر:",
    ))
    # the desk line names the outlet's city; the story's own dateline comes after it and wins
    assert (doc.text, doc.dateline, doc.credit) == (STORY, "روما", "afp")


def test_cnn_opinion_disclaimer_dateline_and_read_also_lines(stages):
    [doc] = clean(stages, page(
        "رأي: المدن تحتاج إلى حدائق",
        "هذا المقال بقلم كاتبة ضيفة، والآراء الواردة أدناه تعبر عن رأي الكاتبة ولا تعكس بالضرورة وجهة نظر شبكة CNN.",
        "نيويورك، الولايات المتحدة الأمريكية (CNN)-- " + STORY,
        "قد يهمك| مدن عربية تطلق مبادرات لزراعة مليون شجرة",
        MORE,
        "إقرأ أيضا هل تعود أسعار الذهب إلى الارتفاع؟",
        "اقرأ أيضا/ خمس نصائح للقيادة الآمنة في الشتاء",
        LAST,
    ))
    assert doc.text.split("\n\n") == [STORY, MORE, LAST]
    assert (doc.dateline, doc.credit) == ("نيويورك", "CNN")


def test_a_wire_dateline_in_mid_page_starts_another_story_under_its_own_headline(stages):
    first, second = clean(stages, page(
        "عنوان الخبر", "دبي، الإمارات العربية المتحدة (CNN)-- " + STORY, MORE, LAST,
        "عنوان الخبر الثاني", "القاهرة، مصر (CNN)-- " + LAST, MORE,
    ))
    assert (first.text.split("\n\n"), second.text.split("\n\n")) == ([STORY, MORE, LAST], [LAST, MORE])
    assert (first.dateline, second.dateline, second.title) == ("دبي", "القاهرة", "عنوان الخبر الثاني")


def test_a_video_report_page_stays_one_article(stages):
    """A CNN video page: a 30-word summary under the title and date, then the article under its own dateline.
    No headline stands over that dateline, so it is the same story's, cut where it stands; nothing is split."""
    stub = ("شاهد: فريق من العلماء يكتشف نوعا جديدا من الأسماك في أعماق البحر الأحمر، ويقول إن الاكتشاف قد يغير "
            "فهمنا للحياة البحرية في المنطقة خلال السنوات المقبلة.")
    article = [STORY, MORE, LAST] * 4
    docs = clean(stages, page("علماء يكتشفون سمكة جديدة في البحر الأحمر", "نشر في 5 مارس 2024", stub,
                              "دبي، الإمارات العربية المتحدة (CNN)-- " + article[0], *article[1:]))
    [doc] = docs
    assert (doc.title, doc.published, doc.dateline) == ("علماء يكتشفون سمكة جديدة في البحر الأحمر",
                                                        datetime(2024, 3, 5), "دبي")
    assert doc.text.split("\n\n") == [stub, *article]


def test_teasers_under_related_news_go_and_the_story_goes_on(stages):
    [doc] = clean(stages, page(
        "عنوان الخبر", STORY,
        "اقرأ أيضًا", "وزير النقل يتفقد محطة المترو الجديدة", "افتتاح طريق دائري في الجيزة",
        MORE,
        "أخبار متعلقة:", "الأرصاد تحذر من موجة حر",  # one teaser at the end
    ))
    assert doc.text.split("\n\n") == [STORY, MORE]
    assert [r.rule for r in doc.removed].count("read_also.teaser") == 3


def test_a_list_the_story_announces_is_not_a_teaser_block(stages):
    [doc] = clean(stages, page(
        "عنوان الخبر", STORY,
        "اقرأ ايضاً:", "وفاة الممثل المصري نور الشريف",
        "ولم تخل الدراما المصرية من مشاركته في أعمال غاية في الأهمية منها:",
        MORE,
    ))
    assert doc.text.split("\n\n") == [STORY, "ولم تخل الدراما المصرية من مشاركته في أعمال غاية في الأهمية منها:",
                                      MORE]


def test_a_name_inside_a_sentence_broken_across_lines_stays(stages):
    [doc] = clean(stages, page(
        "عنوان", STORY,
        "وأضاف المتحدث أن الوزارة ستعلن تفاصيل الخطة خلال مؤتمر صحفي يعقد بعد غد، بحسب ما نقلت وكالة",
        "رويترز", "عن مصادر في الوزارة أمس.",
    ))
    assert "رويترز" in doc.text.split("\n\n")


def test_a_linked_name_the_scraper_broke_out_of_its_sentence_is_joined_back(stages):
    """A link put "البحرين" on a line of its own, mid-sentence; the spaces around it show it stood inline."""
    [doc] = clean(stages, page(
        "عنوان", "ونقلت وكالة أنباء ", "البحرين", " عن وزير العدل قوله إن الوزارة ستفتتح محكمتين جديدتين.", MORE))
    assert doc.text.split("\n\n") == [
        "ونقلت وكالة أنباء البحرين عن وزير العدل قوله إن الوزارة ستفتتح محكمتين جديدتين.", MORE]
    [doc] = clean(stages, page("عنوان", STORY, "وأكد الوزير في حديث لصحيفة ", "الأهرام", "، أن " + LAST))
    assert doc.text.split("\n\n") == [STORY, "وأكد الوزير في حديث لصحيفة الأهرام، أن " + LAST]
    # no space kept at all, but a line never ends on an opening quote nor starts on a comma or a closing one
    [doc] = clean(stages, page("عنوان", STORY, "وكتب المتحدث على", "حسابه في «تويتر»", "، مساء الأحد، أن " + LAST,
                               'وتحدث عن مشروع "', "المدينة الخضراء", '" الذي تبنته البلدية منذ عامين.'))
    assert doc.text.split("\n\n") == [STORY, "وكتب المتحدث على حسابه في «تويتر»، مساء الأحد، أن " + LAST,
                                      'وتحدث عن مشروع "المدينة الخضراء" الذي تبنته البلدية منذ عامين.']


def test_short_lines_of_their_own_stay_lines(stages):
    """A heading after a finished sentence, a list under its colon, a dateline alone on its line: not fragments."""
    [doc] = clean(stages, page(
        "عنوان", STORY, "البحرين", "أما البحرين، فأعلنت " + LAST,
        "وتضم القائمة الدول التالية: ", "1- مصر ", "2- الأردن ", "3- تونس", MORE))
    assert doc.text.split("\n\n") == [STORY, "البحرين", "أما البحرين، فأعلنت " + LAST,
                                      "وتضم القائمة الدول التالية:", "1- مصر", "2- الأردن", "3- تونس", MORE]
    [doc] = clean(stages, page("عنوان", "المنيا ", STORY, MORE))
    assert doc.text.split("\n\n")[-2:] == [STORY, MORE]
    # a scrape that pads every line with a space: the padding is no sign of a broken sentence
    [doc] = clean(stages, page("عنوان ", "ملف خاص ", "المدن الجديدة ", STORY + " ", MORE + " "))
    assert doc.text.split("\n\n")[-2:] == [STORY, MORE]


@pytest.mark.parametrize("opening, city, credit", [
    ("بغداد/ المسلة ", "بغداد", "المسلة"),
    ("كربلاء/ الفرات نيوز ", "كربلاء", "الفرات نيوز"),  # unlisted, but a news site by its name's shape
    ("البصرة/ شفق نيوز- ", "البصرة", "شفق نيوز"),
    ("أربيل: روداو - ", "أربيل", "روداو"),
    ("الكويت (د ب أ) - ", "الكويت", "dpa"),
    ("المنامة (بنا) – ", "المنامة", "bna"),
    ("الموصل/ واع: ", "الموصل", "ina"),
    ("تونس - (وات) ", "تونس", "tap"),
])
def test_a_listed_city_and_a_listed_source_before_the_story_are_its_dateline_and_credit(stages, opening, city,
                                                                                        credit):
    """Any city of cities.yaml, any outlet or agency of the registry, with a slash, dash, colon or brackets."""
    [doc] = clean(stages, page("عنوان الخبر", opening + STORY, MORE))
    assert (doc.text.split("\n\n"), doc.dateline, doc.credit) == ([STORY, MORE], city, credit)
    assert [r.text.strip() for r in doc.removed if r.kind == "dateline"] == [opening.strip()]


def test_a_closing_line_of_sources_and_a_decorated_opinions_disclaimer_go(stages):
    [doc] = clean(stages, page("عنوان الخبر", STORY, MORE, "فرانس 24/ رويترز/ أ ف ب"))
    assert (doc.text.split("\n\n"), [r.kind for r in doc.removed][-1]) == ([STORY, MORE], "credit")
    [doc] = clean(stages, page("رأي: المدن تحتاج إلى حدائق", STORY, MORE,
                               "* كل المقالات المنشورة تعبر عن رأي كتابها فقط"))
    assert (doc.text.split("\n\n"), [r.kind for r in doc.removed][-1]) == ([STORY, MORE], "disclaimer")


def test_a_city_and_brackets_that_hold_no_source_open_a_sentence(stages):
    line = "الكويت (وهي أول دولة خليجية أقرت دستورا مكتوبا) تستعد لانتخابات برلمانية جديدة في الشهر المقبل."
    [doc] = clean(stages, page("عنوان الخبر", line, MORE))
    assert (doc.text.split("\n\n"), doc.credit) == ([line, MORE], None)


def test_scraped_lines_that_are_only_links_or_punctuation(stages):
    [doc] = clean(stages, page("عنوان", "(", "شاهد التقرير", ")", "القاهرة، مصر (CNN)-- " + STORY,
                               "لقراءة تفاصيل الخبر بالكامل ومشاهدة الصور", "إضغط هنا", "www.example.com/news/15118",
                               "----------", "يمكنكم تسلم إشعارات بأهم الموضوعات بعد تحميل أحدث نسخة من تطبيق بي بي سي"
                               " عربي على هاتفكم المحمول."))
    assert (doc.text, doc.dateline) == (STORY, "القاهرة")


def test_html_chrome_goes_before_trafilatura_and_the_meta_line_feeds_the_fields(stages):
    html = f"""<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>منخفض جوي يحمل الثلوج | النهار</title><meta property="og:title" content="منخفض جوي يحمل الثلوج"></head>
<body><nav><a href="/">الرئيسية</a> <a href="/news">أخبار</a></nav>
<div class="breadcrumbs"><a href="/">الرئيسية</a> » <a href="/l">لبنان</a></div>
<article><h1>منخفض جوي يحمل الثلوج</h1>
<div class="post-meta"><span>آخر تحديث: 7 كانون الثاني 2024 - 06:15 م</span> <span>بقلم: جاد نصر</span></div>
<figure><img src="a.jpg" alt=""><figcaption>(صورة: أرشيف)</figcaption></figure>
<p>{STORY}</p><p>{MORE}</p><p>{LAST}</p>
<div class="wp-post-author"><div class="awpa-title">About Post Author</div><div>جاد نصر</div></div>
</article>
<div class="share-buttons">شارك: فيسبوك تويتر واتساب</div>
<div class="related-posts"><h3>أخبار ذات صلة</h3><ul><li><a href="/1">إقفال طرق جبلية</a></li></ul></div>
<footer><p>© 2024 النهار. جميع الحقوق محفوظة</p></footer></body></html>"""
    [doc] = clean(stages, html=html)
    assert doc.text.split("\n\n") == [STORY, MORE, LAST]
    assert (doc.title, doc.byline, doc.updated) == ("منخفض جوي يحمل الثلوج", "جاد نصر", datetime(2024, 1, 7, 18, 15))
    rules = [r.rule for r in doc.removed]
    assert {"updated.label", "byline.line", "dom.figcaption", "dom..wp-post-author", "dom..share-buttons",
            "dom..related-posts", "dom.footer", "dom.nav", "dom..breadcrumbs"} <= set(rules)


def test_a_selector_that_matches_the_page_frame_leaves_the_article(stages):
    html = f"""<html><body class="page shared"><article><h1>عنوان الخبر</h1><p>{STORY}</p><p>{MORE}</p>
<div class="share-bar">شارك</div></article></body></html>"""
    [doc] = clean(stages, html=html)
    assert doc.text.split("\n\n") == [STORY, MORE]


def test_the_page_markup_gives_title_dates_and_byline_before_the_text_rules(stages):
    ld = ('{"@context": "https://schema.org", "@graph": [{"@type": "NewsArticle", "headline": "افتتاح خط حافلات جديد",'
          ' "datePublished": "2024-06-20T16:45:00+03:00", "dateModified": "2024-06-20T18:10:00+03:00",'
          ' "author": {"@id": "#p1"}}, {"@type": "Person", "@id": "#p1", "name": "ليث الخطيب"}]}')
    html = (f'<html><head><title>افتتاح خط حافلات جديد | رؤيا الإخباري</title>'
            f'<script type="application/ld+json">{ld}</script></head><body><article><h1>افتتاح خط حافلات جديد</h1>'
            f'<div class="post-meta">20 حزيران 2024</div><p>{STORY}</p><p>{MORE}</p><p>{LAST}</p>'
            '</article></body></html>')
    [doc] = clean(stages, html=html)
    assert doc.title == "افتتاح خط حافلات جديد"
    assert (doc.published, doc.updated) == (datetime(2024, 6, 20, 16, 45), datetime(2024, 6, 20, 18, 10))
    assert doc.byline == "ليث الخطيب"


def test_an_author_that_is_the_outlet_is_the_credit_and_the_site_name_leaves_the_title(stages):
    html = ('<html><head><title>بلدية الطيبة تفتتح مكتبة عامة - عرب 48</title><meta name="author" content="عرب ٤٨">'
            '<meta property="og:site_name" content="موقع عرب 48">'
            '<meta property="article:published_time" content="2024-06-12T09:40:00+03:00"></head>'
            f'<body><article><p>{STORY}</p><p>{MORE}</p><p>{LAST}</p></article></body></html>')
    [doc] = clean(stages, html=html)
    assert (doc.title, doc.byline, doc.credit) == ("بلدية الطيبة تفتتح مكتبة عامة", None, "عرب ٤٨")
    assert doc.published == datetime(2024, 6, 12, 9, 40)
    assert (doc.site_name, doc.outlet_hint) == ("موقع عرب 48", None)  # the markup's, not the input record's


def test_furniture_glued_to_the_first_and_last_sentences_is_cut_and_the_sentences_stay(stages):
    [doc] = clean(stages, page("عنوان الخبر", "سبق- وكالات: " + STORY, MORE,
                               LAST + " رابط الخبر بصحيفة سبق: افتتاح خط جديد للحافلات"))
    assert doc.text.split("\n\n") == [STORY, MORE, LAST]
    assert [(r.rule, r.text.strip()) for r in doc.removed[1:]] == [
        ("credit.followup", "سبق- وكالات:"), ("back_link.label", "رابط الخبر بصحيفة سبق: افتتاح خط جديد للحافلات")]
    # a closing agency mark with no space after the full stop, a clock left before the lead's dateline
    [doc] = clean(stages, page("عنوان الخبر", "10:45 ص - القاهرة - " + STORY, MORE + "أ ش أ"))
    assert (doc.text.split("\n\n"), doc.dateline, doc.credit) == ([STORY, MORE], "القاهرة", "mena")
    [doc] = clean(stages, page("عنوان الخبر", STORY, MORE + " http://example.com/news/15118"))
    assert doc.text.split("\n\n") == [STORY, MORE]


def test_a_byline_cue_with_a_slash_is_a_byline_not_a_dateline(stages):
    for cue in ("كتب", "متابعة"):
        [doc] = clean(stages, page("عنوان الخبر", f"{cue}/ سامي حسن - " + STORY, MORE))
        assert (doc.text.split("\n\n"), doc.byline, doc.dateline) == ([STORY, MORE], "سامي حسن", None)


@pytest.mark.parametrize("opening, byline, dateline, credit", [
    # a person, an outlet and a city glued before the story, in an order no rule was written for
    ("عبد الله الشريف- سبق- الرياض: ", "عبد الله الشريف", "الرياض", "سبق"),
    ("سعيد عثمان - دبي ", "سعيد عثمان", "دبي", None),
    ("نبض الإمارات - دبي: ", None, "دبي", "نبض الإمارات"),  # an outlet no list has, named before a listed city
    ("متابعة/ الرافد نيوز ", None, None, "الرافد نيوز"),
    # credits are the registry's agency id however the agency is spelt
    ("باريس - اف ب: ", None, "باريس", "afp"),
    ("قنا - أش أ ", None, "قنا", "mena"),  # قنا: an Egyptian city here, though also Qatar's agency
])
def test_the_lead_is_read_as_typed_tokens(stages, opening, byline, dateline, credit):
    [doc] = clean(stages, page("عنوان الخبر", opening + STORY, MORE))
    assert (doc.text.split("\n\n"), doc.byline, doc.dateline, doc.credit) == ([STORY, MORE], byline, dateline, credit)


def test_an_outlet_is_never_a_byline(stages):
    [doc] = clean(stages, page("عنوان الخبر", "كتب: سكاي نيوز عربية", STORY, MORE))
    assert (doc.text.split("\n\n"), doc.byline, doc.credit) == ([STORY, MORE], None, "سكاي نيوز عربية")


def test_each_part_of_a_dom_meta_line_is_read_on_its_own(stages):
    html = f"""<html><head><title>افتتاح خط حافلات</title></head><body><article><h1>افتتاح خط حافلات</h1>
<div class="article-meta"><span class="a">بقلم: <a href="/u/1">جاد نصر</a></span> | <span>7 كانون الثاني 2024</span>
<span>5 تعليقات</span></div><p>{STORY}</p><p>{MORE}</p><p>{LAST}</p></article></body></html>"""
    [doc] = clean(stages, html=html)
    assert (doc.byline, doc.published, doc.text.split("\n\n")) == ("جاد نصر", datetime(2024, 1, 7), [STORY, MORE, LAST])
    assert [r.rule for r in doc.removed][:4] == ["byline.line", "junk.punctuation", "published.bare_date",
                                                 "comments.label"]
