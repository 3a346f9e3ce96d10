"""The voice labeler on texts written for these tests: attribution by clause and genre, stock descriptors, indirect
aliases and word forms, and a calibration that refuses to decide from too few examples."""

import json

import pytest

from builder.config import VoiceStanceConfig
from builder.stance import Targets, VoiceStance
from builder.stance.speech import SpeechSplitter
from builder.stance.voice import Calibration, fit_bins, wilson_lower
from conftest import typed_config

BINS = [{"min_strength": edge, "support": 40, "right": round(40 * p), "precision": p, "refused": False}
        for edge, p in [(1, 0.5), (2, 0.85), (4, 0.95)]]
CALIBRATION = {"format": 2, "min_support": 20, "none_without_evidence": 0.95,
               "genres": {"news": {"threshold": 2, "bins": BINS}, "opinion": {"threshold": 2, "bins": BINS}}}


def write(tmp_path, table: dict) -> VoiceStanceConfig:
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(table), encoding="utf-8")
    return VoiceStanceConfig(calibration_file=str(path))


@pytest.fixture(scope="module")
def targets():
    return Targets(typed_config().label.targets)


@pytest.fixture
def voice(tmp_path):
    return VoiceStance(write(tmp_path, CALIBRATION))


COLUMN = ("الجدير بالذكر أن نظام الملالي لم يتوقف يوما عن العبث بأمن جيرانه. وفي كشف جديد لحقيقته، تواصل "
          "أذناب إيران نشر الفوضى في أربع عواصم. يرى البعض أن الحوار مع طهران ممكن، لكنني أعتقد أن "
          "هذا النظام المارق لا يفهم إلا لغة القوة.")


def test_a_column_whose_author_writes_a_pejorative_beside_reporting_words_is_against(voice, targets):
    iran = targets.get("iran")
    stance = voice.label(COLUMN, iran, "أحمد علي يكتب: وجه طهران الحقيقي", genre="opinion")
    assert stance.label == "against" and stance.score == 0.95
    assert any("نظام الملالي" in e for e in stance.evidence) and any("أذناب إيران" in e
                                                                      for e in stance.evidence)
    # "الجدير بالذكر", "في كشف" and "يرى البعض" report nothing: every clause is the writer's
    splitter = SpeechSplitter()
    assert all(c.voice for c in splitter.clauses("", COLUMN, genre="opinion"))
    # a named third party's speech is still someone else's, in a column too
    named = splitter.clauses("", "وقال وزير الخارجية إن نظام الملالي يعبث بالمنطقة.", genre="opinion")
    assert [c.speaker for c in named] == ["وزير الخارجيه"]


def test_a_news_report_that_only_quotes_a_hostile_official_is_none(voice, targets):
    iran = targets.get("iran")
    report = ("الرياض (رويترز) - قال وزير الخارجية السعودي إن نظام الملالي يرعى الإرهاب وإن ميليشياته تعبث "
              "بأمن المنطقة. وأضاف أن المملكة لن تسمح لإيران بتهديد الملاحة. وتقول طهران إنها تدافع عن نفسها.")
    stance = voice.label(report, iran, "وزير الخارجية السعودي يتحدث عن إيران", genre="news")
    # the name the minister's words give Iran counts a little, as the outlet's paraphrase: never enough on its own
    assert stance.label == "none" and stance.evidence == ("against (brand, in a paraphrase): نظام الملالي",)
    assert voice.strengths(voice.read(report * 3, iran, "إيران")[0])["against"] == 1.0
    assert stance.quoted and all("said by" in q for q in stance.quoted)
    # the clause before the reporting verb stays the outlet's: its words are the outlet's own
    own = voice.label("وفي تصعيد جديد لنظام الملالي، قال المتحدث إن الهجوم فشل.", iran, "خبر", genre="news")
    assert own.evidence == ("against (brand): لنظام الملالي",)
    # and so is a clause that resumes after the reported one, or a verb whose subject is the outlet's correspondent
    splitter = SpeechSplitter()
    resumed = splitter.clauses("", "وقال الوزير إن الهجوم فشل، فيما تواصل ميليشيات الحوثي القصف.", genre="news")
    assert [c.voice for c in resumed] == [False, True]
    assert splitter.clauses("", "وقتل ثلاثون مسلحا، بحسب ما أفاد مراسلنا.", genre="news")[0].voice
    # a circumstantial participle continues the speaker's sentence, the clause before it included; "متهما" is also
    # a noun (a defendant), so it reports nothing
    praised = splitter.clauses("", "وأشاد الرئيس بمحور المقاومة، مؤكدا دعم إيران.", genre="news")
    assert [c.voice for c in praised] == [False]
    assert splitter.clauses("", "وقضت المحكمة بإدراج 169 متهما على قوائم الإرهاب.", genre="news")[0].voice


def test_a_reading_splits_only_the_sentences_a_target_looks_into_and_finds_every_hit(voice, targets):
    iran, qatar = targets.get("iran"), targets.get("qatar")
    text = ("وقال المتحدث إن الأمطار غزيرة. وأضاف أن نظام الملالي يعبث بالمنطقة، فيما تواصل ميليشيات الحوثي القصف. "
            "واستقبل الأمير ضيوفه في الدوحة. وكتبت الصحيفة «إن إيران تمول الإرهاب في المنطقة منذ سنوات طويلة».")
    reading = voice.reading("إيران وقطر", text, "news")
    own, said, _ = voice.read(text, iran, "إيران وقطر", "news")
    assert set(reading.split) == {0, 2, 4}  # the headline, and the sentences holding a word Iran's hits may start at
    # the same hits as reading every clause of the text
    every = [h for c in voice.splitter.clauses("إيران وقطر", text, "news")
             for h in voice.hits(c, c.key_tokens(), iran, True, False)]
    assert said and said == [h for h in every if h.speaker is not None]
    assert [h for h in own if h.speaker is None] == [h for h in every if h.speaker is None]
    voice.read(text, qatar, "إيران وقطر", "news")
    assert 3 in reading.split  # Qatar's reading looks into its own sentences, the split ones kept


def test_a_stock_descriptor_is_no_stance(voice, targets):
    iran = targets.get("iran")
    text = "وشنت الميليشيات الموالية لإيران هجمات إرهابية على المدينة، فيما سيطرت الفصائل المدعومة من طهران على الطريق."
    stance = voice.label(text, iran, "معارك في المدينة", genre="news")
    assert (stance.label, stance.evidence) == ("none", ())
    # without the descriptor, the same evaluative word beside the name is the outlet's
    bare = voice.label("وشنت إيران هجمات إرهابية على المدينة.", iran, "معارك في المدينة", genre="news")
    assert bare.evidence == ("against (evaluative): إيران هجمات إرهابية",)


def test_indirect_aliases_and_word_forms(voice, targets):
    assert targets.mentions("وقالت الخارجية القطرية إن الدوحة ترفض") == {"qatar": 2}  # a nisba, the capital
    assert targets.mentions("وصل الرئيس التركي إلى المطار") == {}  # a context alias alone names no one
    assert targets.mentions("وصل الرئيس التركي رجب طيب أردوغان إلى المطار") == {"erdogan": 2}
    assert targets.mentions("قضى إجازته في مرسى مطروح") == {}  # an excluded phrase holds the alias
    qatar = targets.get("qatar")
    stance = voice.label("ويواصل تنظيم الحمدين تمويل الإرهاب في المنطقة عبر أبواقه.", qatar, "الدوحة والإرهاب",
                         genre="news")
    assert stance.label == "against" and stance.evidence[0].startswith("against (brand): تنظيم الحمدين")
    # a cue's word forms: the plural with a pronoun of "مؤامرة" beside the name
    forms = voice.label("وتستمر مؤامراتها ومؤامرته على جيران قطر.", qatar, "قطر", genre="news")
    assert [e.split(":")[0] for e in forms.evidence] == ["against (evaluative)"]
    # a plural alias in its other case is one mention, so the judging word right after it names the group
    brotherhood = targets.get("muslim_brotherhood")
    cased = voice.label("وفيما يتعلق بجماعة الإخوان المسلمون الإرهابية، قال الأمير إن ...", brotherhood, "",
                        genre="news")
    assert cased.evidence == ("against (named): بجماعة الإخوان المسلمون الإرهابية",)


def test_calibration_refuses_a_bin_with_too_few_examples(tmp_path, targets):
    few = [(3.0, True)] * 5 + [(0.5, False)] * 3  # 5 strong examples, all right: still too few
    table = fit_bins(few, [0.5, 2.0], min_support=20, min_lower=0.7)
    assert table["threshold"] is None and all(b["refused"] for b in table["bins"])
    many = [(3.0, True)] * 36 + [(3.0, False)] * 4 + [(0.5, False)] * 30
    fitted = fit_bins(many, [0.5, 2.0], min_support=20, min_lower=0.7)
    assert fitted["threshold"] == 2.0 and wilson_lower(36, 40) >= 0.7 > wilson_lower(36, 70)
    config = write(tmp_path, {**CALIBRATION, "genres": {"news": fitted, "opinion": table}})
    decides, _, why = Calibration(config.calibration_file).decide(4.0, "opinion")
    assert not decides and why.startswith("refused: no opinion bin of 20+ examples")
    voice, iran = VoiceStance(config), targets.get("iran")
    assert voice.label(COLUMN, iran, "أحمد علي يكتب: طهران", genre="opinion").label == "none"  # refused
    assert voice.label(COLUMN, iran, "أحمد علي يكتب: طهران", genre="news").label != "none"  # the news table decides


def test_an_analysis_is_calibrated_apart_from_columns(tmp_path):
    refused = fit_bins([(3.0, True)] * 5, [0.5, 2.0], min_support=20, min_lower=0.7)
    config = write(tmp_path, {**CALIBRATION, "genres": {**CALIBRATION["genres"], "analysis": refused}})
    calibration = Calibration(config.calibration_file)
    assert calibration.decide(4.0, "opinion")[0] and not calibration.decide(4.0, "analysis")[0]


def test_stance_terms_ranks_the_words_written_next_to_a_target(tmp_path, capsys):
    from builder.stance.terms import main as stance_terms

    rows = [{"text": f"وواصل نظام الحمدين في قطر دعمه للفوضى في اليوم {i}. وافتتح معرض الكتاب أبوابه للزوار."}
            for i in range(4)] + [{"text": "وعقد مجلس الوزراء اجتماعا في الدوحة، وقال الوزير إن قطر عدوة."}]
    data, targets = tmp_path / "corpus.jsonl", tmp_path / "targets.yaml"
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    targets.write_text("- {id: qatar, ar: [قطر, الدوحة]}\n", encoding="utf-8")
    stance_terms(["--data", str(data), "--targets", str(targets), "--min-count", "3", "--format", "tsv"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t")[:3] == ["target", "phrase", "near"]
    found = {line.split("\t")[1]: line.split("\t") for line in lines[1:]}
    assert found["نظام الحمدين"][2] == "4" and found["نظام الحمدين"][6] == "qatar.against.brand"
    assert "نظام الحمدين في قطر" in found["نظام الحمدين"][7]  # keyword in context
    assert "معرض" not in found and "عدوه" not in found  # far from a mention; said by the minister


def test_a_loaded_noun_heading_a_name_or_a_judging_word_after_it_frames_that_target(voice, targets):
    houthis, iran, qatar = targets.get("houthis"), targets.get("iran"), targets.get("qatar")
    headed = voice.label("وتنتشر أكاذيب الحوثي في المدينة.", houthis, "قصف", genre="news")
    assert headed.evidence == ("against (named): أكاذيب الحوثي",)
    after = voice.label("وتواصل قطر المارقة دعم الفوضى.", qatar, "خطة", genre="news")
    assert after.evidence == ("against (named): قطر المارقة",)
    # "Iranian gangs" judge the gangs: a nisba adjective is not the target named
    adjective = voice.label("وتواصل العصابات الإيرانية قصف الأحياء.", iran, "قصف", genre="news")
    assert adjective.evidence == ()
    # framed as the victim of a campaign: the longer phrase wins over the against head it starts with
    victim = voice.label("وتستمر المؤامرة على قطر في وسائل الإعلام.", qatar, "حملة", genre="news")
    assert victim.evidence == ("favor (named): المؤامرة على قطر",)


def test_a_noun_written_with_taa_marbuta_reports_nothing():
    # "وصفة" and "إضافة" read, in the match key, as the verbs وصف and أضاف with an object pronoun
    splitter = SpeechSplitter()
    assert splitter.clauses("", "إضافة إلى ذلك، نصبت قوات الاحتلال رافعة في الساحة.", genre="news")[0].voice
    assert splitter.clauses("", "وهذه وصفة كارثية تهدد المنطقة.", genre="news")[0].voice
    assert not splitter.clauses("", "وأضافه الوزير إلى القائمة.", genre="news")[0].voice  # the verb still reports


def test_conduct_takes_a_nisba_adjective_people_do_not(voice, targets):
    iran = targets.get("iran")
    conduct = voice.label("وتتواصل الهيمنة الإيرانية على القرار في البصرة.", iran, "البصرة", genre="news")
    assert conduct.evidence == ("against (named): الهيمنة الإيرانية",)
    people = voice.label("وتتواصل عصابات إيران في نشر الفوضى.", iran, "فوضى", genre="news")
    assert people.evidence == ("against (agent): عصابات إيران",)


def test_what_a_paraphrase_calls_the_target_at_its_name_is_the_outlets_word(voice, targets):
    houthis, qatar = targets.get("houthis"), targets.get("qatar")
    text = "وأفادت قوات التحالف بمقتل عدد من قادة ميليشيات الحوثي الإيرانية في غارة على صعدة."
    own, said, _ = voice.read(text, houthis, "غارة على صعدة", "news")
    assert [(h.kind, h.weight, h.span) for h in own] == [("brand", 1.0, "ميليشيات الحوثي الإيرانية")]
    assert len(said) == 1 and said[0].speaker.startswith("قوات التحالف")
    # what the speaker calls the target's opponents, or claims, stays theirs
    siege = voice.read("وقال وزير الخارجية القطري إن دول الحصار تواصل حملتها.", qatar, "قطر", "news")[0]
    assert siege == []


def test_a_target_the_lexicon_does_not_know_gets_the_shared_cues(voice):
    hezbollah = Targets([{"id": "hezbollah", "ar": ["حزب الله"]}]).get("hezbollah")
    stance = voice.read("وتواصل ميليشيات حزب الله نشر الفوضى في الجنوب.", hezbollah, "الجنوب", "news")[0]
    assert [(h.side, h.kind, h.weight) for h in stance] == [("against", "agent", 2.0)]  # name-calling, as a brand
    # a judging word right after its name calls it names too; a loaded noun of conduct heading it only frames it
    called = voice.read("ونفذ حزب الله الإرهابي الهجوم. وتستمر أكاذيب حزب الله.", hezbollah, "", "news")[0]
    assert [(h.kind, h.weight) for h in called] == [("named", 2.0), ("named", 1.0)]
    assert voice.label("وتواصل ميليشيات حزب الله نشر الفوضى.", hezbollah, "", genre="news").label == "against"


def test_a_protests_chant_is_the_protesters_and_a_town_is_not_a_person(voice, targets):
    brotherhood = targets.get("muslim_brotherhood")
    chant = "وردد المتظاهرون هتافات ضد ميليشيات الإخوان أمام قصر الاتحادية."
    own, said, _ = voice.read(chant, brotherhood, "مظاهرات الاتحادية", "news")
    assert said and not [h for h in own if h.speaker is None]  # at most a paraphrased name, never the outlet's voice
    assert targets.mentions("هجوم مسلح على قسم شرطة العياط في الجيزة") == {}  # the town, not Morsi's family name
    assert targets.mentions("قال مرسي العياط إن") == {"morsi": 1}


def test_the_longer_cue_wins_whichever_side_it_is(voice, targets):
    brotherhood = targets.get("muslim_brotherhood")
    own = voice.read("واعتدى بلطجية الإخوان على المتظاهرين أمام المقر.", brotherhood, "اعتداء", "news")[0]
    assert [(h.side, h.kind, h.span) for h in own] == [("against", "frame", "بلطجية الإخوان")]
