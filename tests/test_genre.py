"""Genre: news, opinion or analysis from the URL, the section, the headline and the writing, with its evidence."""

import pytest

from builder.lists import word_lists
from builder.stance.genre import GenreDetector
from builder.stance.targets import key_tokens

REPORT = ("القاهرة (أ ش أ) - عقد مجلس الوزراء اجتماعه الأسبوعي اليوم برئاسة رئيس الوزراء لبحث ملفات الأسعار "
          "والطاقة والنقل. وناقش المجلس خطة الحكومة لتطوير شبكة الطرق في المحافظات خلال العام المقبل.")
COLUMN = ("أعترف أنني لم أفهم يوما لماذا نصمت على ما يجري في مدارسنا. هل يعقل أن نترك أبناءنا بلا كتب؟ "
          "أقول لكم إنني أتساءل كل صباح: إلى متى؟ نحن ندفع الثمن كل يوم، وأنا لست متفائلا!")


@pytest.fixture(scope="module")
def detector():
    return GenreDetector()


def outlet(oid: str):
    return next(o for o in word_lists().outlets if o.id == oid)


@pytest.mark.parametrize(("url", "genre", "evidence"), [
    ("https://www.aljazeera.net/opinions/2024/5/2/some-column", "opinion", "outlet path: /opinions/"),
    ("https://www.example-news.com/ar/مقالات/2024/123", "opinion", "url: مقالات"),  # a generic section word
    ("https://www.example-news.com/views/2024/123", "opinion", "url: views"),
    ("https://www.bbc.com/arabic/in-depth-61234567", "analysis", "outlet path: /arabic/in-depth-"),
    ("https://news.example.org/world/analysis-why-prices-rose", "analysis", "url: analysis"),  # a slug word
])
def test_genre_from_a_url_path(detector, url, genre, evidence):
    oid = {"aljazeera.net": "aljazeera", "bbc.com": "bbc"}
    entry = next((outlet(o) for d, o in oid.items() if d in url), None)
    found = detector.decide("عنوان", REPORT, url=url, opened="القاهرة", outlet=entry)
    assert (found.label, found.evidence) == (genre, (evidence,))


def test_a_site_that_files_every_story_under_article_is_news(detector):
    found = detector.decide("عنوان", REPORT, url="http://www.jawharafm.net/ar/article/x/105/78774", opened="القاهرة")
    assert found.label == "news" and found.evidence == ("opens as a report: القاهرة",)


def test_an_outlet_section_overrides_the_generic_words(detector):
    fjp, youm7 = outlet("fjp"), outlet("youm7")
    assert detector.decide("عنوان", REPORT, section="articles", outlet=fjp).label == "opinion"
    assert detector.decide("عنوان", REPORT, section="articles", outlet=youm7).label == "news"
    assert detector.decide("عنوان", REPORT, section="مقالات الرأي").evidence == ("section: مقالات الرأي",)
    assert detector.decide("عنوان", REPORT, section="أخبار الرأي العام").label == "news"  # a word of it, not it


def test_headline_marks_and_the_writing_itself(detector):
    assert detector.decide("أحمد علي يكتب: المدارس", REPORT).evidence == ("title: يكتب",)
    assert detector.decide("تحليل: لماذا ارتفعت الأسعار", REPORT).label == "analysis"
    column = detector.decide("المدارس", COLUMN, byline="أحمد علي")
    assert column.label == "opinion" and len(column.evidence) == 3  # first person, questions, byline
    # the same words inside a quotation are the person quoted, and a dateline opens a report
    quoted = detector.decide("المدارس", f"قال الوزير: «{COLUMN}»", opened="القاهرة")
    assert quoted.label == "news"
    assert detector.decide("", "").label == "unknown"


ESSAY = ("الحكومة تعد بخفض الأسعار منذ سنوات. الأسواق لا تعرف هذه الوعود. الموظف يدفع الثمن كل شهر. المصانع تغلق "
         "أبوابها واحدا بعد آخر. فمن يحاسب المسؤولين؟ ومتى تنتهي هذه الأزمة؟ الخطط تتبدل والنتيجة واحدة. والشعب "
         "صبر طويلا. والصبر له حدود.")
REPORTED = ("قال وزير المالية إن الأسعار ستنخفض. وأضاف أن الحكومة تعمل على خطة. وأكد أن الدعم مستمر. وأوضح أن "
            "المصانع ستعود. فمن يحاسب المسؤولين؟ تساءل نائب. ومتى تنتهي الأزمة؟ قال آخر. وأشار إلى الخطط. ولفت إلى "
            "صبر الشعب.")


def test_a_column_with_no_byline_or_url_is_found_by_how_little_it_reports(detector):
    """A page in a folder dump: no headline mark, URL or section; its questions alone are one sign, few saying
    verbs over many sentences a second, while a report's saying verbs leave it news."""
    column = detector.decide("الأسعار", ESSAY)
    assert column.label == "opinion" and column.evidence[-1] == "reports little: 0 saying verbs in 9 sentences"
    assert detector.decide("الأسعار", REPORTED).label == "news"



def test_an_interview_is_news_and_its_answers_are_the_interviewees(detector):
    from builder.stance.speech import SpeechSplitter

    text = ("التقت الصحيفة رئيس الحزب في مكتبه.\nكيف ترى المشهد اليوم؟\nالمشهد صعب والجماعة الإرهابية تعبث بالبلاد.\n"
            "وما موقفكم من الحوار؟\nنرفضه تماما.\nوماذا بعد؟\nسننتظر.")
    found = detector.decide("حوار", text, section="investigations")
    assert (found.label, found.evidence) == ("news", ("interview: 3 question lines",))
    speakers = [(c.text, c.speaker) for c in SpeechSplitter().clauses("حوار", text, genre="news")][1:4]
    assert speakers == [("التقت الصحيفة رئيس الحزب في مكتبه.", None), ("كيف ترى المشهد اليوم؟", None),
                        ("المشهد صعب والجماعة الإرهابية تعبث بالبلاد.", "")]
    # a headline that signs the piece makes it a column, though it is built on a transcript's questions
    signed = detector.decide("محمود علي يكتب: أسرار المحاكمة", text, section="investigations")
    assert (signed.label, signed.evidence) == ("opinion", ("title: يكتب",))


@pytest.mark.parametrize("text", [
    COLUMN,
    "قال الوزير: «إن الحكومة ستدعم الأسعار» ثم أضاف “لن نتراجع عن ذلك أبدا” وغادر.",
    "وقـــال الرئيــس: «سنُعيد بِناءَ المدارس»\u200f، وأكّد أنّ \"الخطة جاهزة للتنفيذ\" هذا العام.",  # deleted marks
    "İstanbul ΑΣ «ΣΟΦΙΑ λέει» Σ-word",  # lowercased word by word
])
def test_the_body_is_keyed_once_for_every_reader(detector, text):
    keyed = detector.keyed(text * 3)
    assert keyed.tokens == key_tokens(text * 3)
    assert keyed.own == key_tokens(detector.quote.sub(" ", text * 3))  # what the writing signs count
    assert keyed.head == key_tokens((text * 3)[: detector.head_chars])
