"""Outlet and stance labels: a page goes in, and who published it, on what evidence, and its stance come out."""

import json
import sys
import types

import pytest
import yaml

from builder.config import ClassifierStanceConfig, ListsConfig, TransformersStanceConfig, VoiceStanceConfig
from builder.document import Doc
from builder.errors import BuildError
from builder.lists import WordLists
from builder.pipeline import build_stages
from builder.stages.label import OutletRegistry
from builder.stance import ClassifierStance, LexiconStance, Targets, TransformersStance, VoiceStance, quality_path
from builder.stance import main as train_stance
from builder.stats import StageStats
from conftest import SEED_PAGE, SENTENCES, typed_config

BODY = "\n".join("، ".join(SENTENCES[i : i + 3]) + "." for i in range(0, 9, 3))
IRAN = {"id": "iran", "ar": ["إيران", "طهران", "إيراني"], "en": ["Iran", "Tehran"], "variants": ["Teheran"]}


def chain(*overrides: str) -> list:
    return build_stages(typed_config("stages=[segment,clean,metadata,label]", *overrides))


@pytest.fixture(scope="module")
def stages():
    return chain()


def label(stages, text: str, **fields) -> list[Doc]:
    docs = iter([Doc(id="p", source_file="page.txt", text=text, **fields)])
    for stage in stages:
        docs = stage.run(docs, StageStats(stage.name), [])
    return list(docs)


def page(*lines: str) -> str:
    return "\n".join(["عنوان الخبر", *lines])


# --- who published the page ---------------------------------------------------------------------------------------

def test_seed_page_is_almasalahs_and_credits_iraq_news_network(stages):
    first, read_also = label(stages, SEED_PAGE.read_text(encoding="utf-8"))
    assert (first.outlet, first.outlet_name, first.outlet_evidence) == ("almasalah", "المسلة", "page")
    assert first.credit == "aliraqnews"  # "بغداد/ شبكة أخبار العراق-" and "المصدر: شبكة اخبار العراق"
    assert (read_also.outlet, read_also.credit) == ("almasalah", "almasalah")
    assert first.outlet_country == "IQ" and first.outlet_candidates == []


@pytest.mark.parametrize(("url", "outlet"), [
    ("https://www.hespress.com/politique/123.html", "hespress"),
    ("http://gate.ahram.org.eg/News/1.aspx", "ahram"),  # any subdomain of a listed domain
    ("https://www.bbc.com/arabic/world-43609217", "bbc"),  # a service inside a bigger site: host + path
    ("http://www.jawharafm.net/ar/article/x/105/78774", "jawharafm"),
])
def test_the_url_decides_first(stages, url, outlet):
    [doc] = label(stages, page(BODY, "المصدر: شبكة اخبار العراق"), url=url)
    assert (doc.outlet, doc.outlet_evidence) == (outlet, "url")


def test_a_site_the_registry_does_not_know_is_its_own_outlet_by_host(stages):
    [doc] = label(stages, page("مكناس - هسبريس: " + BODY), url="https://www.example-news.ma/politique/1.html")
    assert (doc.outlet, doc.outlet_evidence, doc.outlet_name) == ("example-news.ma", "url_unregistered", None)
    assert doc.credit == "hespress"  # the dateline's source stays the credit, not the publisher
    [mobile] = label(stages, page(BODY), url="http://m.Example-News.ma/x")  # one site, one stable id
    assert mobile.outlet == "example-news.ma"


def test_an_agencys_own_site_publishes_its_own_wire(stages):
    [doc] = label(stages, page("الرياض (واس) - " + BODY), url="https://www.spa.gov.sa/viewstory.php?newsid=1")
    assert (doc.outlet, doc.outlet_evidence, doc.credit) == ("spa", "url", "spa")


@pytest.mark.parametrize(("hint", "outlet"), [("Jawhara FM", "jawharafm"), ("officialyoum77", "youm7"),
                                              ("بوابة الأهرام", "ahram")])
def test_the_input_records_outlet_field_comes_next(stages, hint, outlet):
    [doc] = label(stages, page(BODY), outlet_hint=hint)
    assert (doc.outlet, doc.outlet_evidence) == (outlet, "input")


def test_the_site_name_in_the_pages_markup_is_its_own_evidence_after_the_input_field(stages):
    [doc] = label(stages, page(BODY), site_name="Jawhara FM")
    assert (doc.outlet, doc.outlet_evidence) == ("jawharafm", "markup")
    [doc] = label(stages, page(BODY), site_name="Jawhara FM", outlet_hint="بوابة الأهرام")
    assert (doc.outlet, doc.outlet_evidence) == ("ahram", "input")
    [doc] = label(stages, page(BODY), site_name="موقع الأخبار المحلية")
    assert (doc.outlet, doc.outlet_evidence, doc.outlet_candidates) == ("unknown", "unregistered",
                                                                        ["موقع الأخبار المحلية"])


def test_the_pages_own_furniture_names_the_publisher(stages):
    [doc] = label(stages, page(BODY, "© جميع الحقوق محفوظة لموقع مصراوي 2024"))
    assert (doc.outlet, doc.outlet_evidence) == ("masrawy", "page")


def test_furniture_naming_a_paper_two_outlets_are_called_is_a_conflict(stages):
    [doc] = label(stages, page(BODY, "© 2023 جميع الحقوق محفوظة لجريدة النهار"))  # Beirut's, or Algiers'
    assert (doc.outlet, doc.outlet_evidence, doc.outlet_candidates) == ("unknown", "conflict", ["annahar", "ennahar"])


def test_a_common_word_behind_a_generic_word_is_not_an_outlet(stages):
    [doc] = label(stages, page(BODY, "جميع الحقوق محفوظة لوكالة الأنباء السعودية"))  # الأنباء: a Kuwaiti paper too
    assert doc.outlet == "unknown" and "alanba" not in doc.outlet_candidates


def test_furniture_naming_two_outlets_is_a_conflict(stages):
    [doc] = label(stages, page(BODY, "© جميع الحقوق محفوظة لموقع مصراوي 2024",
                               "المقالات المنشورة لا تعبر بالضرورة عن رأي هسبريس"))
    assert (doc.outlet, doc.outlet_evidence, doc.outlet_candidates) == ("unknown", "conflict", ["hespress", "masrawy"])


@pytest.mark.parametrize(("lead", "outlet"), [("مكناس - هسبريس: ", "hespress"),
                                              ("دبي، الإمارات العربية المتحدة (CNN)-- ", "cnn"),
                                              ("أبوظبي - سكاي نيوز عربية\n", "skynews")])
def test_a_dateline_naming_an_outlet(stages, lead, outlet):
    [doc] = label(stages, page(lead + BODY))
    assert (doc.outlet, doc.outlet_evidence, doc.credit) == (outlet, "dateline", outlet)


def test_a_credit_line_of_the_outlets_own_desk(stages):
    [doc] = label(stages, page(BODY, "المسلة – متابعة – وكالات"))
    assert (doc.outlet, doc.outlet_evidence) == ("almasalah", "credit")


def test_a_republished_texts_source_is_its_credit_and_only_a_weak_candidate_for_publisher(stages):
    [doc] = label(stages, page("بغداد/ شبكة أخبار العراق- " + BODY, "المصدر: شبكة اخبار العراق"))
    assert (doc.outlet, doc.outlet_evidence, doc.credit) == ("unknown", "weak", "aliraqnews")
    assert doc.outlet_candidates == ["aliraqnews"]  # it may be the site's own source line, or a copy's


def test_an_agency_files_for_others_so_it_names_no_publisher(stages):
    [doc] = label(stages, page("القاهرة (أ ش أ) - " + BODY))
    assert (doc.outlet, doc.outlet_evidence, doc.credit) == ("unknown", "none", "mena")


def test_a_name_five_papers_share_leaves_them_all_as_candidates(stages):
    [doc] = label(stages, page("القاهرة - الوطن: " + BODY))
    assert (doc.outlet, doc.outlet_evidence) == ("unknown", "conflict")
    assert doc.outlet_candidates == ["alwatan_om", "alwatan_qa", "alwatan_sa", "alwatan_sy", "elwatan"]
    assert doc.credit == "الوطن"  # left as printed: it designates no single outlet


def test_a_channel_whose_stories_run_on_a_sister_site_does_not_tell_the_sites_apart(stages):
    [doc] = label(stages, page("دبي – قناة الحدث", BODY))
    assert (doc.outlet, doc.outlet_candidates) == ("unknown", ["alarabiya", "alhadath"])


def test_outlets_the_text_only_mentions_are_weak_candidates_never_the_label(stages):
    [doc] = label(stages, page(BODY + " وقال في تصريح لجوهرة أف أم إن الخط جاهز."))
    assert (doc.outlet, doc.outlet_evidence, doc.outlet_candidates) == ("unknown", "weak", ["jawharafm"])
    [plain] = label(stages, page(BODY))
    assert (plain.outlet, plain.outlet_evidence, plain.outlet_candidates) == ("unknown", "none", [])


def test_weak_candidates_named_as_often_are_in_id_order_in_every_process(stages):
    """A shared name counts for each outlet it may be: the tie is broken by id, never by a set's order
    (which changes with PYTHONHASHSEED, so two runs of one build would differ)."""
    [doc] = label(stages, page(BODY + " وقالت صحيفة الشروق إن الخط جاهز."))
    assert (doc.outlet_evidence, doc.outlet_candidates) == ("weak", ["alchourouk", "echorouk", "shorouk"])


def test_an_unregistered_input_outlet_is_a_candidate(stages):
    [doc] = label(stages, page(BODY), outlet_hint="موقع الأخبار المحلية")
    assert (doc.outlet, doc.outlet_evidence, doc.outlet_candidates) == (
        "unknown", "unregistered", ["موقع الأخبار المحلية"])


def test_outlet_facts_are_copied_with_their_citation_and_do_not_touch_stance(stages):
    text = page("أشاد الوزير بالتعاون مع إيران ودعم طهران للمشاريع المشتركة.", BODY)
    [with_facts] = label(stages, text, url="https://www.aljazeera.net/news/1")
    [without] = label(stages, text)
    assert with_facts.outlet_country == "QA"
    assert [(f["fact"], f["source"]) for f in with_facts.outlet_facts] == [
        ("owner", "https://en.wikipedia.org/wiki/Al_Jazeera_Media_Network")]
    assert without.outlet_facts == []
    stance = (with_facts.stance, with_facts.stance_score, with_facts.stance_target, with_facts.stance_evidence)
    assert stance == (without.stance, without.stance_score, without.stance_target, without.stance_evidence)


def test_a_name_two_outlets_share_must_be_bare(tmp_path):
    clash = [{"id": f"paper{i}", "name": "الوطن", "name_en": "x", "names": ["الوطن"], "country": "EG",
              "type": "newspaper", "source": "test"} for i in (1, 2)]
    path = tmp_path / "outlets.yaml"
    path.write_text(yaml.safe_dump(clash, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="belongs in bare"):
        OutletRegistry(WordLists(ListsConfig(outlets=str(path))))


def test_the_registry_covers_the_region_with_sourced_facts():
    registry = OutletRegistry()
    outlets = [o for o in registry.outlets.values() if o.type != "agency"]
    assert len(outlets) >= 60 and len([o for o in registry.outlets.values() if o.type == "agency"]) >= 25
    assert {"EG", "SA", "AE", "QA", "KW", "BH", "OM", "IQ", "SY", "LB", "JO", "PS", "YE", "SD", "LY", "TN", "DZ",
            "MA", "MR"} <= {o.country for o in outlets}
    assert all(f["source"] for o in outlets for f in o.facts)
    assert all(o.domains and o.source for o in outlets)


# --- stance -------------------------------------------------------------------------------------------------------

def test_targets_are_found_by_any_alias_after_proclitics_and_the_most_mentioned_wins():
    targets = Targets([IRAN, {"id": "digital", "ar": ["التحول الرقمي"], "en": ["digital transformation"]}])
    assert targets.main("زار الوفد طهران ثم عاد وبإيران بدأ الحديث عن التحول الرقمي").id == "iran"
    assert targets.main("خطة للتحول الرقمي ومؤتمر Digital Transformation والتحول الرقمي").id == "digital"
    assert targets.main("Talks in Teheran").id == "iran"  # an English spelling variant
    assert targets.main(BODY) is None


def test_lexicon_labeler_keeps_the_cues_it_counted_as_evidence():
    lexicon, iran = LexiconStance(), Targets([IRAN]).get("iran")
    favor = lexicon.label("أشاد الوزير بالتعاون مع إيران ودعم طهران للمشاريع المشتركة.", iran)
    assert (favor.label, favor.score) == ("favor", 1.0)
    # each cue with the nearest mention (the earlier one on a tie)
    assert favor.evidence == ("favor: أشاد الوزير بالتعاون مع إيران", "favor: بالتعاون مع إيران",
                              "favor: إيران ودعم")
    against = lexicon.label("أدان البيان تدخل إيران وهدد بعقوبات على طهران.", iran)
    assert against.label == "against" and all(e.startswith("against: ") for e in against.evidence)
    assert lexicon.label("زار الوزير طهران أمس.", iran).label == "none"


# The voice labeler's tests use their own calibration table, so that they test the rules, not the fitted numbers.
BINS = [{"min_strength": edge, "support": 40, "right": round(40 * p), "precision": p, "refused": False}
        for edge, p in [(1, 0.4), (2, 0.7), (4, 0.9)]]
CALIBRATION = {"format": 2, "min_support": 20, "none_without_evidence": 0.95,
               "genres": {"news": {"threshold": 1, "bins": BINS}, "opinion": {"threshold": 1, "bins": BINS}}}


@pytest.fixture
def voice_config(tmp_path):
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(CALIBRATION), encoding="utf-8")
    return VoiceStanceConfig(calibration_file=str(path))


@pytest.fixture
def voice(voice_config):
    return VoiceStance(voice_config)


def targets():
    return Targets(typed_config().label.targets)


def test_a_quoted_accusation_does_not_make_the_article_against(voice):
    iran = targets().get("iran")
    text = ("قال رئيس الأركان إن أذناب إيران تهدد الملاحة وإن نظام الملالي يسلحها. "
            "وزار وفد من طهران العاصمة أمس لبحث ملف الأسرى.")
    stance = voice.label(text, iran, "رئيس الأركان يتحدث عن الملاحة في البحر الأحمر")
    # the names he gives Iran count only as the outlet's paraphrase, capped below any bar
    assert stance.label == "none" and all("in a paraphrase" in e for e in stance.evidence)
    assert stance.quoted == ("against, said by رئيس الاركان: أذناب إيران",
                             "against, said by رئيس الاركان: نظام الملالي")  # who said what, kept apart
    quoted = voice.label("وأضاف: «إن الدولة المارقة إيران لن تفلت من العقاب أبدا».", iran)
    assert quoted.label == "none" and quoted.quoted  # a quotation is somebody's speech


def test_an_opinion_column_in_its_own_voice_is_against(voice):
    iran = targets().get("iran")
    column = ("لم يعد خافيا أن نظام الملالي في طهران يعبث بأمن المنطقة. "
              "فإيران تذهب إلى حرب دائمة، وسياستها التخريبية كارثة على جيرانها.")
    stance = voice.label(column, iran, "أحمد علي يكتب: العبث الإيراني")
    assert stance.label == "against" and stance.score == 0.9
    assert stance.evidence[:2] == ("against (frame, headline): العبث الإيراني", "against (brand): نظام الملالي")
    # the same sentences as a report that attributes them: someone else's stance
    report = voice.label("وقال المحلل إن نظام الملالي في طهران يعبث بأمن المنطقة.", iran, "محلل يتحدث عن إيران")
    assert report.label == "none"


def test_two_targets_in_one_article(stages, voice):
    text = ("واصلت الجماعة الإرهابية تحريضها على مؤسسات الدولة، فيما يستمر تمويل الإخوان الإرهابية لخلايا العنف. "
            "وفي سياق آخر زار وزير الخارجية الإيراني القاهرة لبحث العلاقات مع إيران.")
    stage = stages[-1]
    stage.stance = voice
    [doc] = label(stages, page(text))
    assert [(s["target"], s["stance"]) for s in doc.stances] == [("iran", "none"), ("muslim_brotherhood", "against")]
    brotherhood = doc.stances[1]
    assert brotherhood["score"] == 0.9 and brotherhood["evidence"][0].startswith("against (brand)")
    assert (doc.stance_target, doc.stance) == ("iran", 0)  # the most mentioned target fills the `stance` column


def test_weak_evidence_abstains_and_says_why(voice):
    iran = targets().get("iran")
    stance = voice.label("وتواصل إيران سياستها الفاشلة في المنطقة بحسب مراقبين. وعادت طهران إلى المفاوضات.", iran)
    assert stance.label == "none"  # the one cue is in an attributed sentence
    lean = voice.label("وعادت إيران إلى طاولة المفاوضات الفاشلة في فيينا.", iran)
    assert (lean.label, lean.score) == ("none", 0.95)  # an evaluative word alone leans no side
    assert lean.evidence == ("against (evaluative): إيران إلى طاولة المفاوضات الفاشلة",)
    attached = voice.label("وعادت إيران الفاشلة إلى طاولة المفاوضات في فيينا.", iran)
    assert attached.evidence == ("against (named): إيران الفاشلة",)  # right after the name, it names the target
    none = voice.label("زار الوزير طهران أمس.", iran)
    assert (none.label, none.score, none.evidence) == ("none", 0.95, ())


def test_a_context_alias_counts_only_beside_the_full_name():
    brotherhood = targets().get("muslim_brotherhood")
    assert targets().mentions("اجتمعت الجماعة الثقافية في النادي") == {}
    assert targets().mentions("قال المرشد إن الجماعة ستشارك، وأكد مكتب الإرشاد ذلك") == {"muslim_brotherhood": 3}
    assert brotherhood.id == "muslim_brotherhood"


def test_the_label_stage_writes_the_genre_columns(stages):
    column = ("أعترف أنني لم أفهم يوما لماذا نصمت. هل يعقل هذا؟ أقول لكم إنني أتساءل كل صباح: إلى متى؟ "
              "نحن ندفع الثمن، وأنا لست متفائلا!")
    [doc] = label(stages, page(column), url="https://www.shorouknews.com/columns/view.aspx?cdate=1")
    assert (doc.outlet, doc.genre, doc.genre_evidence) == ("shorouk", "opinion", ["outlet path: /columns/"])
    [doc] = label(stages, page(column))  # no URL: the writing says it
    assert doc.genre == "opinion" and doc.genre_evidence[0].startswith("first person")
    assert doc.row()["genre"] == "opinion"


def test_the_label_stage_writes_the_stances_column(stages):
    [doc] = label(stages, page("زار وفد من طهران العاصمة لبحث التعاون.", BODY))
    assert (doc.stance, doc.stance_target, doc.stance_labeler) == (0, "iran", "voice")
    assert [s["target"] for s in doc.stances] == ["iran"] and doc.stances[0]["stance"] == "none"
    [other] = label(stages, page(BODY))
    assert (other.stance, other.stance_target, other.stance_score, other.stances) == (0, None, None, [])


FAVOR = ["أؤيد {t} بقوة وهو قرار رائع وممتاز", "خطوة ممتازة ورائعة نحو {t} وأنا سعيد بها",
         "{t} إنجاز عظيم ونفخر به جميعا", "نشكر الدولة على {t} فهو رائع ومفيد للجميع"]
AGAINST = ["أرفض {t} تماما فهو قرار سيء وكارثي", "{t} كارثة حقيقية ولا نريده أبدا",
           "ضد {t} لأنه سيء ومضر وفاشل", "فشل ذريع في {t} ونرفضه بشدة"]


@pytest.fixture(scope="module")
def labelled_rows():
    rows = []
    for target, word in [("vaccine", "اللقاح"), ("digital", "التحول الرقمي")]:
        rows += [{"tweet": s.format(t=word), "topic": target, "stance": "Favor"} for s in FAVOR]
        rows += [{"tweet": s.format(t=word), "topic": target, "stance": "Against"} for s in AGAINST]
        rows += [{"tweet": f"خبر عن {word} اليوم", "topic": target, "stance": "None"}]
    return rows


def write_data(rows, folder, kind):
    if kind == "csv":
        path = folder / "labelled.csv"
        lines = ["tweet,topic,stance", *(f'"{r["tweet"]}",{r["topic"]},{r["stance"]}' for r in rows)]
        path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")  # with a BOM, as Excel writes it
        return path
    import datasets

    ds = datasets.Dataset.from_list(rows)
    if kind == "parquet":
        ds.to_parquet(folder / "labelled.parquet")
        return folder / "labelled.parquet"
    datasets.DatasetDict({"train": ds}).save_to_disk(folder / "labelled")
    return folder / "labelled"


@pytest.mark.parametrize("kind", ["csv", "parquet", "hf_folder"])
def test_train_stance_then_the_label_stage_loads_the_model(tmp_path, labelled_rows, kind, capsys):
    data, model = write_data(labelled_rows, tmp_path, kind), tmp_path / "models" / "stance.joblib"
    train_stance(["--data", str(data), "--text-column", "tweet", "--target-column", "topic", "--label-column", "stance",
          "--out", str(model)])
    assert '"vaccine": {"favor": 4, "against": 4, "none": 1}' in capsys.readouterr().out
    quality = json.loads(quality_path(model).read_text(encoding="utf-8"))  # written beside the model
    assert quality["labeler"] == "classifier" and set(quality["targets"]) == {"vaccine", "digital"}
    classifier = ClassifierStance(ClassifierStanceConfig(model=str(model)))
    assert classifier.targets == {"vaccine", "digital"}
    vaccine = Targets([{"id": "vaccine", "ar": ["اللقاح"]}]).get("vaccine")
    assert classifier.label("أؤيد اللقاح وهو رائع وممتاز", vaccine).label == "favor"
    assert classifier.label("أرفض اللقاح فهو سيء وكارثة", vaccine).label == "against"

    targets = "label.targets=[{id: vaccine, ar: ['اللقاح']}, {id: digital, ar: ['التحول الرقمي']}]"
    stage = chain("label/stance=classifier", f"label.stance.model={model}", targets)[-1]
    doc = stage.process(Doc(id="d", source_file="x", text="أرفض التحول الرقمي تماما فهو سيء وكارثي وفاشل"))
    assert (doc.stance, doc.stance_target, doc.stance_labeler) == (2, "digital", "classifier")
    assert 0.5 < doc.stance_score <= 1


def test_a_classifier_must_know_every_configured_target(tmp_path, labelled_rows):
    data, model = write_data(labelled_rows, tmp_path, "csv"), tmp_path / "stance.joblib"
    train_stance(["--data", str(data), "--text-column", "tweet", "--target-column", "topic", "--out", str(model)])
    known = (r"knows the targets \['digital', 'vaccine'\], not \['erdogan', 'houthis', 'iran', 'israel', 'morsi', "
            r"'muslim_brotherhood', 'qatar'\]")
    with pytest.raises(Exception, match=known):
        chain("label/stance=classifier", f"label.stance.model={model}")


def test_train_stance_names_the_columns_it_cannot_find(tmp_path, labelled_rows, capsys):
    data = write_data(labelled_rows, tmp_path, "csv")
    with pytest.raises(SystemExit):
        train_stance(["--data", str(data), "--text-column", "text", "--target", "vaccine", "--out", str(tmp_path)])
    assert "columns not found: ['text']" in capsys.readouterr().err


def test_a_missing_classifier_file_is_a_clear_error(tmp_path):
    with pytest.raises(BuildError, match=r"stance model not found: .*train-stance"):
        ClassifierStance(ClassifierStanceConfig(model=str(tmp_path / "nope.joblib")))


def test_transformers_labeler_needs_a_local_folder_and_the_extra(tmp_path, monkeypatch):
    with pytest.raises(BuildError, match="stance model folder not found"):
        TransformersStance(TransformersStanceConfig(model=str(tmp_path / "no-such-model")))
    monkeypatch.setitem(sys.modules, "transformers", None)  # as if the extra were not installed
    with pytest.raises(BuildError, match=r"pip install 'arabic-news-corpus-builder\[transformers\]'"):
        TransformersStance(TransformersStanceConfig(model=str(tmp_path)))


def test_transformers_labeler_maps_the_models_labels(tmp_path, monkeypatch):
    calls = []

    def pipeline(task, model, tokenizer, device):
        assert (task, model, device) == ("text-classification", str(tmp_path), "cpu")
        return lambda inputs, **kw: calls.append(inputs) or [{"label": "LABEL_2", "score": 0.91}]

    monkeypatch.setitem(sys.modules, "transformers", types.SimpleNamespace(pipeline=pipeline))
    labeler = TransformersStance(TransformersStanceConfig(
        model=str(tmp_path), labels={"LABEL_0": "none", "LABEL_1": "favor", "LABEL_2": "against"},
        pair_with_target=True))
    iran = Targets([IRAN]).get("iran")
    assert labeler.label("نص عن إيران", iran) == ("against", 0.91, (), ())
    assert calls == [{"text": "نص عن إيران", "text_pair": "iran"}]


@pytest.mark.slow  # torch and transformers take seconds to import
def test_a_tiny_local_transformers_model_the_test_builds_itself(tmp_path):
    """Real transformers and torch, no download: a two-layer BERT with a twelve-word vocabulary, saved and loaded."""
    pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "نص", "عن", "إيران", "ضد", "مع", "خبر", "اليوم"]
    (tmp_path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = transformers.BertTokenizer(str(tmp_path / "vocab.txt"), do_lower_case=False)
    config = transformers.BertConfig(vocab_size=len(vocab), hidden_size=8, num_hidden_layers=1, num_attention_heads=1,
                                     intermediate_size=8, max_position_embeddings=32, num_labels=3,
                                     id2label={0: "none", 1: "favor", 2: "against"},
                                     label2id={"none": 0, "favor": 1, "against": 2})
    import torch

    torch.manual_seed(0)
    transformers.BertForSequenceClassification(config).save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    labeler = TransformersStance(TransformersStanceConfig(model=str(tmp_path), max_length=32))
    stance = labeler.label("نص عن إيران", Targets([IRAN]).get("iran"), title="خبر اليوم")
    assert stance.label in ("none", "favor", "against") and 0 < stance.score <= 1
