"""Every boilerplate rule in conf/ carries an example, and the example is what the rule removes."""

import re

import pytest
import yaml

from builder.arabic import match_key
from builder.config import data_file
from builder.rules import RuleSet, first_chars, longest_key, shape_key

RULES = yaml.safe_load(data_file("boilerplate.yaml").read_text(encoding="utf-8"))["rules"]


@pytest.mark.parametrize("rule", RULES, ids=[r["id"] for r in RULES])
def test_rule_example_is_removed_by_its_own_rule(rule):
    rules = RuleSet.load("boilerplate.yaml")
    example = rule["example"].strip()
    removal = rules.trailing_match(example) if rule.get("where") == "suffix" else rules.first_match(example, lead=True)
    assert removal is not None, f"no rule removes {rule['example']!r}"
    assert removal.rule == rule["id"]


@pytest.mark.parametrize("sentence", [
    "كتب الرئيس على حسابه في تويتر أن الاجتماع كان مثمرا وناقش قضايا كثيرة تهم البلدين.",
    "قال المتحدث باسم الوزارة إن المشروع يهدف إلى تخفيف الازدحام في العاصمة.",
    "وشارك في الحملة عدد من المدارس والجمعيات الأهلية في مختلف المحافظات.",
    "نشر في الجريدة الرسمية قرار بتعيين مجلس إدارة جديد للهيئة العامة للاستثمار.",
    "المصدر الرئيسي للقلق هو ارتفاع الأسعار في الأسواق المحلية خلال الصيف.",
    # sentences that start like a dateline, a byline, a credit, a prompt or a date label, and are none of them
    "قال أحمد المغير- الناشط السياسي الإخواني: إن الجماعة لم تخطئ في أحداث الاتحادية.",
    "وكالات السفر تشهد إقبالا كبيرا مع بداية موسم الصيف.",
    "شارك في المؤتمر كل من: وزير الخارجية ووزير الدفاع ورئيس الأركان.",
    "تابع قائلا: إن الحكومة ستعلن قرارها خلال أيام.",
    "وقال إن هذا الموقف لا يعبر بالضرورة عن رأي الحكومة كلها.",
    "بتاريخ 5 يناير 2013 أصدرت المحكمة حكمها في القضية.",
    "الرياضة المصرية تحقق إنجازا جديدا في البطولة الأفريقية.",
    "الخبر الذي نشرته الصحيفة أمس لم يكن دقيقا.",
    "محمد صلاح يقود ليفربول للفوز على تشيلسي بهدفين نظيفين.",
    "عن الاجتماع قال الوزير: إن النتائج جيدة.",
    "شاهد عيان قال إن الحريق اندلع في الطابق الثالث.",
    "المزيد من الضحايا سقطوا في القصف الأخير على المدينة.",
    "هذا المقال يتناول تاريخ المدينة القديمة وأسواقها الشعبية.",
    "نشر الجيش 3 آلاف جندي على الحدود الشرقية للبلاد.",
    "السيسي: «مصر لن تتراجع عن خطط التنمية مهما كانت الظروف»",
    # an agency or a network named in passing, in brackets, in a sentence that opens a line
    "من جانبها، كشفت وكالة الأنباء الفلسطينية (وفا) أن القوات البحرية الإسرائيلية أطلقت النار على القوارب.",
    "وأدى ذلك، بحسب وكالة (وام) الرسمية إلى تأخير إقلاع الطائرة لعدة ساعات.",
    "وقال مصدر مطلع لشبكة (CNN) إن الاجتماع سيعقد الأسبوع المقبل.",
])
def test_real_sentences_are_not_boilerplate(sentence):
    assert RuleSet.load("boilerplate.yaml").first_match(sentence, lead=True) is None


def test_glued_update_line_is_cut_before_the_first_sentence():
    rules = RuleSet.load("boilerplate.yaml")
    line = "آخر تحديث: 19 شتنبر 2024 - 11:52 ص بغداد/ شبكة أخبار العراق- قال القيادي في الائتلاف"
    first = rules.first_match(line, lead=True)
    rest = line[len(first.text):].strip()
    second = rules.first_match(rest, lead=True)
    assert (first.rule, second.rule) == ("updated.label", "dateline.city_slash_source")
    assert rest[len(second.text):].strip() == "قال القيادي في الائتلاف"
    assert second.fields == {"city": "بغداد", "source": "شبكة أخبار العراق"}


@pytest.mark.parametrize(("line", "rule", "fields"), [
    # an agency abbreviation however it is printed
    ("جوبا – أ. ش. أ:", "dateline.city_dash_agency", {"city": "جوبا", "source": "أ. ش. أ"}),
    ("القاهرة- أش أ:", "dateline.city_dash_agency", {"city": "القاهرة", "source": "أش أ"}),
    ("باريس _أ ش أ", "dateline.city_dash_agency", {"city": "باريس", "source": "أ ش أ"}),
    # which side is the city: the listed place
    ("سبق- الرياض: ", "dateline.source_dash_city", {"source": "سبق", "city": "الرياض"}),
    ("الرياض - حازم الشرقاوي", "dateline.town_dash_who", {"city": "الرياض", "who": "حازم الشرقاوي"}),
    ("هسبريس - محمد الراجي", "byline.outlet_reporter", {"source": "هسبريس", "name": "محمد الراجي"}),
    # a wire desk's own shapes, with the date inside
    ("عمان 12 أيار (بترا) - ", "dateline.city_date_agency", {"city": "عمان", "date": "12 أيار", "source": "بترا"}),
    ("أبوظبي في 19 سبتمبر / وام / ", "dateline.city_date_agency",
     {"city": "أبوظبي", "date": "19 سبتمبر", "source": "وام"}),
    ("ستراسبورج (فرنسا) (رويترز) - ", "dateline.city_agency", {"city": "ستراسبورج", "source": "رويترز"}),
])
def test_datelines_name_their_parts(line, rule, fields):
    removal = RuleSet.load("boilerplate.yaml").first_match(line, lead=True)
    assert (removal.rule, removal.fields) == (rule, fields)


def test_lead_rules_stay_out_of_the_body_and_prefixes_need_the_whole_line_there():
    rules = RuleSet.load("boilerplate.yaml")
    assert rules.first_match("الدوحة - انطلقت اليوم فعاليات المهرجان", lead=False) is None
    assert rules.first_match("تاريخ النشر: 3 مارس 2024 قررت اللجنة تثبيت الأسعار", lead=False) is None
    assert rules.first_match("تاريخ النشر: 3 مارس 2024", lead=False).rule == "published.label"


@pytest.mark.parametrize(("line", "rule"), [
    # one rule, every dress: pipes, dashes, bullets, brackets around the line, the article, hamza and tanween
    ("| اقرأ أيضاً |", "read_also.heading"),
    ("— إقرأ ايضا —", "read_also.heading"),
    ("• الأخبار المتعلقة", "read_also.heading"),
    ("مواضيع مرتبطة:", "read_also.heading"),
    ("[اقرأ أيضا: فاس تحتضن معرض الصناعة التقليدية]", "read_also.inline"),
    ("» Related posts", "read_also.heading"),
    ("(ع.ن)", "end_mark.initials"),
    # Latin-script furniture on Arabic pages
    ("Share this:", "share.label"),
    ("Partager", "share.label"),
    ("Facebook Twitter WhatsApp Telegram", "share.platforms"),
    ("Comments (0)", "comments.label"),
    ("2 min read", "reading_time.label"),
    ("Our Standards: The Thomson Reuters Trust Principles.", "credit.wire_english"),
])
def test_a_furniture_line_in_any_dress_is_the_same_rule(line, rule):
    assert RuleSet.load("boilerplate.yaml").first_match(line, lead=False).rule == rule


@pytest.mark.parametrize("sentence", [
    # a list item or a bracketed aside in the body is text, whatever decoration it has
    "- وقال الوزير إن المشروع سيكتمل قبل نهاية العام الجاري.",
    "• تعليقات المواطنين على القرار جاءت إيجابية في معظمها.",
    "(وقد أكدت الوزارة أن الأسعار لن تتغير قبل نهاية الموسم)",
    "Comments from the minister were welcomed by residents of the city.",
    "عمون الإخبارية نشرت تقريرا عن أسعار الخضار في السوق المركزي.",
    "الخرطوم: السوداني يفوز ببطولة الشطرنج العربية للشباب.",
])
def test_decorated_sentences_stay(sentence):
    assert RuleSet.load("boilerplate.yaml").first_match(sentence, lead=False) is None


def test_outlet_leads_give_their_parts():
    rules = RuleSet.load("boilerplate.yaml")
    assert rules.first_match("الدامر: السوداني", lead=True).fields == {"city": "الدامر", "source": "السوداني"}
    assert rules.first_match("خانيونس / سما /", lead=True).fields == {"city": "خانيونس", "source": "سما"}
    bracketed = rules.first_match("(عدن الغد) خاص: افتتح مدير المديرية مركزا صحيا", lead=True)
    assert (bracketed.text, bracketed.fields) == ("(عدن الغد) خاص: ", {"source": "عدن الغد"})
    stamp = rules.first_match("بنا 0945 جمت 2024/05/20", lead=False, tail=True)
    assert stamp.fields == {"source": "بنا", "time": "0945", "date": "2024/05/20"}


@pytest.mark.parametrize("line", [
    # a head that is a person quoted, English, a relative time that opens a sentence
    "محمد صلاح: لن أرحل عن ليفربول قبل نهاية عقدي مع النادي.",
    "UN-Arab League peace envoy to Syria urged international action.",
    "قبل يومين أعلنت الوزارة عن افتتاح خط جديد للحافلات.",
])
def test_sentences_keep_their_heads(line):
    rules = RuleSet.load("boilerplate.yaml")
    assert rules.first_match(line, lead=True) is None and rules.glued_head(line) is None


@pytest.mark.parametrize("line", [
    "وقال الوزير إن المشروع سيكتمل قبل نهاية العام. وكالات السفر تشهد إقبالا كبيرا مع بداية الصيف.",
    "وأوضح أن الخطة تشمل ثلاث مراحل. المصدر الرئيسي للقلق هو ارتفاع الأسعار في الأسواق.",
    "وأكد الوزير أن الحكومة ستعلن قرارها خلال أيام، بحسب وكالة رويترز.",
])
def test_sentences_keep_their_tails(line):
    assert RuleSet.load("boilerplate.yaml").glued_tail(line) is None


@pytest.mark.parametrize(("pattern", "opens", "not_opens"), [
    (r"\s*(?:foo|bar)", " fb", "xo"),
    (r"(?:x|y)?z+", "xyz", "a"),
    (r"(?i:abc)d", "aA", "bd"),
    (r"(?=q)[^a-c]\d", "qz9", "abc"),
    (r"(?:\(\s*)?\d+", "(7", " x"),
])
def test_a_rule_is_asked_only_of_lines_that_start_as_a_match_of_it_can(pattern, opens, not_opens):
    first = first_chars(re.compile(pattern))
    assert all(first.match(c) for c in opens) and not any(first.match(c) for c in not_opens)


def test_a_pattern_that_may_open_with_any_character_is_always_asked():
    assert first_chars(re.compile(r"(?:a|.)b")) is None
    assert first_chars(re.compile(r"\s*x?")).match(" ")  # may match empty: its non-empty matches still open so


@pytest.mark.parametrize("rule", RULES, ids=[r["id"] for r in RULES])
def test_every_rule_may_open_with_its_own_example(rule):
    compiled = next(r for r in RuleSet.load("boilerplate.yaml").rules if r.id == rule["id"])
    key = match_key(rule["example"].strip())
    assert compiled.where == "suffix" or compiled.may_open(key[0]) or compiled.may_open(shape_key(key)[1][0])


def test_a_rule_with_a_length_guard_is_not_asked_of_a_longer_line():
    assert longest_key(re.compile(r"(?=.{0,20}$).*حقوق")) == 21
    assert longest_key(re.compile(r"(?:(?=.{0,20}$)a|(?=.{0,40}$)b)")) == 41
    assert longest_key(re.compile(r"(?:(?=.{0,20}$)a|b)")) is None  # one branch unguarded
    assert longest_key(re.compile(r"(?m)(?=.{0,20}$)a")) is None  # $ before any newline: no bound on the text
    rules = RuleSet.load("boilerplate.yaml")
    guarded = next(r for r in rules.rules if r.longest is not None and r.where == "line")
    line = "حقوق " * 400
    assert all(rule is not guarded for rule, *_ in rules._rules_for(line[0], len(line) - 1, lead=False, tail=False))


def test_a_line_rule_is_asked_only_of_lines_that_hold_a_text_every_match_of_it_holds():
    rules = RuleSet.load("boilerplate.yaml").only(ids=frozenset({"dateline.cnn"}))
    assert rules.rules[0].needs == (frozenset({"CNN"}),)
    assert rules.first_match("دبي، الإمارات العربية المتحدة (CNN)-- قال", lead=True) is not None
    assert rules.first_match("دبي، الإمارات العربية المتحدة -- قال", lead=True) is None
    # a set of many texts costs more searches than the rule: no guard
    wide = next(r for r in RuleSet.load("boilerplate.yaml").rules if r.id == "credit.site_line")
    assert wide.needs == ()
