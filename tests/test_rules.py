"""Every boilerplate rule in conf/ carries an example, and the example is what the rule removes."""

import pytest
import yaml

from builder.config import data_file
from builder.rules import RuleSet

RULES = yaml.safe_load(data_file("boilerplate.yaml").read_text(encoding="utf-8"))["rules"]


@pytest.mark.parametrize("rule", RULES, ids=[r["id"] for r in RULES])
def test_rule_example_is_removed_by_its_own_rule(rule):
    removal = RuleSet.load("boilerplate.yaml").first_match(rule["example"].strip(), lead=True)
    assert removal is not None, f"no rule removes {rule['example']!r}"
    assert removal.rule == rule["id"]


@pytest.mark.parametrize("sentence", [
    "كتب الرئيس على حسابه في تويتر أن الاجتماع كان مثمرا وناقش قضايا كثيرة تهم البلدين.",
    "قال المتحدث باسم الوزارة إن المشروع يهدف إلى تخفيف الازدحام في العاصمة.",
    "وشارك في الحملة عدد من المدارس والجمعيات الأهلية في مختلف المحافظات.",
    "نشر في الجريدة الرسمية قرار بتعيين مجلس إدارة جديد للهيئة العامة للاستثمار.",
    "المصدر الرئيسي للقلق هو ارتفاع الأسعار في الأسواق المحلية خلال الصيف.",
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
