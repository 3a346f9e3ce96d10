"""Language and quality filtering: what is kept, and the reason for what is not."""

import re

import pytest

from builder.config import LanguageConfig
from builder.document import Doc
from builder.stages.language import LanguageFilter
from builder.stages.quality import QualityFilter
from conftest import SENTENCES

ARTICLE = "\n".join("، ".join(SENTENCES[i : i + 3]) + "." for i in range(0, 12, 3))


def doc(text: str) -> Doc:
    return Doc(id="d", source_file="f", text=text)


@pytest.mark.parametrize(("text", "lang"), [
    ("12 دجنبر، 2025", "ar"),                                  # digits and a Moroccan month: langdetect says fa
    ("١٢ مايو ٢٠٢٤ - ٠٩:٣٠ م", "ar"),
    ("مجلس الشيوخ", "ar"),
    ("وزارة الخارجية", "ar"),
    ("اجرای قرارداد", "fa"),
    ("دولت جدید ایران", "fa"),
    ("در اين باره گفت كه مي خواهد", "fa"),                      # Persian typed on an Arabic keyboard
    ("حکومت نے کہا ہے", "ur"),
    ("ہم ملک کا یوم جمہوریہ", "ur"),
    ("ئەم هەواڵە لە هەولێرەوە", "ckb"),
])
def test_short_text_in_arabic_script(text, lang):
    assert LanguageFilter().detect(text)[0] == lang


def test_mixed_page_is_judged_on_its_main_text():
    page = ARTICLE + "\n\nAbout Post Author Zain. See author's posts. Home | News | Sports | Contact us | Login"
    lang, score = LanguageFilter().detect(page)
    assert lang == "ar" and 0.5 < score < 1.0
    english = "The ministry said the new bus line will open next month. " * 5 + "وزارة النقل"
    assert LanguageFilter().detect(english)[0] == "en"


def test_dropped_languages_are_named_in_the_reason():
    f = LanguageFilter()
    assert f.process(doc("وزیر امور خارجه ایران گفت که گفتگوها ادامه پیدا می‌کند")).reason == "lang_fa"
    assert f.process(doc("Cairo traffic eased on Sunday after the new bridge opened.")).reason == "lang_en"
    kept = f.process(doc(ARTICLE))
    assert kept.lang == "ar" and kept.lang_score > 0.9


def test_langdetect_is_seeded():
    text = "Le ministère a annoncé l'ouverture d'une nouvelle ligne de bus le mois prochain."
    assert {LanguageFilter().detect(text) for _ in range(5)} == {LanguageFilter().detect(text)}


def test_unknown_backend_fails_clearly():
    with pytest.raises(ValueError, match=r"language\.backend"):
        LanguageFilter(LanguageConfig(backend="cld9"))


@pytest.fixture
def quality():
    return QualityFilter()  # the defaults of QualityConfig, as the build uses them


def test_a_news_article_passes(quality):
    kept = quality.process(doc(ARTICLE))
    assert kept.n_words > 50


@pytest.mark.parametrize(("text", "reason"), [
    ("أعلنت الوزارة عن افتتاح خط جديد.", "too_few_words"),
    ("\n".join(s + "." for s in SENTENCES[:3]), None),  # a three-line brief of 40 words is news
    (" ".join(["الحافلات", "الجديدة", "المدينة", "الشرقية"] * 20), "too_few_stopwords"),
    (" ".join(["في", "من", "و"] * 30), "avg_word_length"),
    (" ".join(["في"] * 5 + ["2024", "15", "300", "12.5"] * 20), "too_few_alpha_words"),
    ("\n".join([SENTENCES[0] + "."] * 3 + [SENTENCES[1] + "."]), "duplicate_lines"),
    (" ".join(SENTENCES[:4]), None),  # one paragraph without a final stop: too little to judge punctuation
    ("\n".join(" ".join(s.split()[:2]) + " في المدينة." for s in SENTENCES[:20]), "list_ratio"),
    (ARTICLE + "\n" + " ".join(["في المدينة"] * 40) + ".", "top_2_gram"),
    (ARTICLE + "\n" + ARTICLE.replace("\n", " ") + ".", "duplicated_5_grams"),
])
def test_each_rule_drops_with_its_own_reason(quality, text, reason):
    assert getattr(quality.process(doc(text)), "reason", None) == reason


def test_line_punctuation_check_when_switched_on(quality):
    lines = "\n".join(s for s in SENTENCES[:12])  # twelve paragraphs, none with a final stop
    assert quality.process(doc(lines)).n_words  # off by default: kept
    quality.min_line_punct = 0.143
    assert quality.process(doc(lines)).reason == "line_punct_ratio"


def test_a_character_table_holds_exactly_the_code_points_its_class_matches():
    from builder.stages.language import ARABIC_SCRIPT, LATIN, char_table

    for pattern in (ARABIC_SCRIPT, LATIN, re.compile(r"[^\W\d_]")):
        table = char_table(pattern)
        assert table.nonzero()[0].tolist() == [cp for cp in range(0x10000) if pattern.fullmatch(chr(cp))]
