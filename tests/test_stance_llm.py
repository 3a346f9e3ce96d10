"""The llm stance labeler against a local fake OpenAI-compatible endpoint (tests/llm_server.py): no network."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from llm_server import Reply, answer, serve

from builder.card import llm_cost
from builder.config import LabelConfig, LLMStanceConfig, TargetConfig
from builder.document import Doc
from builder.errors import BuildError
from builder.schema import STANCE_LABELS
from builder.stages.label import Labeler
from builder.stance import LLMStance, Targets
from builder.stats import BuildResult, StageStats
from conftest import article, build, typed_config, write_jsonl

IRAN = Targets([{"id": "iran", "ar": ["إيران"], "en": ["Iran"]}]).get("iran")

# Articles the tests wrote: the outlet's own pejorative, a hostile official it quotes, a quotation in marks.
OWN_VOICE = ("تواصل إيران سياستها التخريبية في المنطقة عبر وكلائها المسلحين. "
             "وعقد وزراء الخارجية العرب اجتماعا طارئا في القاهرة.")
REPORTED = ("قال المتحدث باسم الخارجية إن إيران دولة مارقة تهدد جيرانها. "
            "وعقد الوزراء اجتماعا في العاصمة لبحث التطورات.")
QUOTED = ("وصل الوفد الإيراني إلى الدوحة صباح اليوم. "
          "وقال الوزير: «إن إيران تمارس سياسة عدوانية لن تمر دون حساب»، وذلك في ختام الجولة.")


def labeler(fake, tmp_path, **settings) -> LLMStance:
    settings = {"retries": 2, "backoff": 0.0, "cache_dir": str(tmp_path / "cache"), **settings}
    return LLMStance(LLMStanceConfig(base_url=fake.url, model="fake-model", **settings))


def test_a_good_answer_is_the_label_with_its_evidence(tmp_path):
    with serve() as fake:
        fake.route("سياستها التخريبية", answer("against", "سياستها التخريبية", tokens=120))
        llm = labeler(fake, tmp_path)
        stance = llm.label(OWN_VOICE, IRAN, title="إيران والمنطقة")
    assert stance.label == "against" and stance.evidence == ("سياستها التخريبية",) and stance.score is None
    [sent] = fake.requests
    body = sent["body"]
    assert sent["path"] == "/v1/chat/completions" and sent["auth"] is None
    assert body["model"] == "fake-model" and body["temperature"] == 0.0
    assert body["response_format"] == {"type": "json_object"}
    assert "quoted speech" in body["messages"][0]["content"].lower()  # the guidelines
    user = body["messages"][1]["content"]
    assert "iran (named in the text as: " in user and "إيران والمنطقة" in user and OWN_VOICE in user
    assert dict(llm.cost) == {"llm:requests": 1, "llm:tokens": 120, "llm:against": 1}


def test_malformed_json_is_retried_then_the_label_is_none_with_the_reason(tmp_path):
    with serve() as fake:
        fake.route("سياستها التخريبية", Reply(content="The answer is: against"))
        fake.route("دولة مارقة", Reply(body=b"<html>gateway</html>"))
        fake.route("الوفد الإيراني", Reply(content='```json\n{"label": "sideways"}\n```'),
                   Reply(content='```json\n{"label": "none", "evidence": ""}\n```'))
        llm = labeler(fake, tmp_path)
        assert llm.answer(OWN_VOICE, IRAN) == ("none", None, "malformed")
        assert llm.answer(REPORTED, IRAN) == ("none", None, "malformed")
        assert llm.answer(QUOTED, IRAN) == ("none", None, None)  # a fenced answer is read; a bad label retried
    assert fake.sent("سياستها التخريبية") == fake.sent("دولة مارقة") == 3  # the first try and two retries
    assert fake.sent("الوفد الإيراني") == 2
    assert llm.cost["llm:failed"] == 2 and llm.cost["llm:none:malformed"] == 2 and llm.cost["llm:retries"] == 5
    assert len(list((tmp_path / "cache").rglob("*.json"))) == 1  # only the answer that came


def test_server_errors_are_retried_until_an_answer_comes(tmp_path):
    with serve() as fake:
        fake.route("سياستها", Reply(500), Reply(503), answer("against", "سياستها التخريبية"))
        llm = labeler(fake, tmp_path)
        assert llm.label(OWN_VOICE, IRAN).label == "against"
        assert len(fake.requests) == 3 and llm.cost["llm:retries"] == 2 and not llm.cost["llm:failed"]
        fake.route("سياستها", Reply(500))
        assert llm.answer(OWN_VOICE, IRAN, title="عنوان آخر") == ("none", None, "http_500")
        fake.route("سياستها", Reply(400))  # the server refuses this request: asking again changes nothing
        assert llm.answer(OWN_VOICE, IRAN, title="عنوان ثالث") == ("none", None, "http_400")
        assert len(fake.requests) == 3 + 3 + 1


def test_timeouts_and_a_closed_port_are_retried_then_none(tmp_path):
    with serve() as fake:
        fake.delay = 0.3
        llm = labeler(fake, tmp_path, timeout=0.05, retries=1)
        assert llm.answer(OWN_VOICE, IRAN) == ("none", None, "timeout")
        assert len(fake.requests) == 2 and llm.cost["llm:failed"] == 1
    closed = LLMStance(LLMStanceConfig(base_url=fake.url, model="m", retries=1, backoff=0.0, cache_dir=None))
    assert closed.answer(OWN_VOICE, IRAN) == ("none", None, "unreachable")  # the server is gone
    assert closed.cost["llm:requests"] == 2


def test_invented_evidence_makes_the_label_none(tmp_path):
    with serve() as fake:
        fake.route("سياستها", answer("against", "إيران دولة راعية للإرهاب"))
        llm = labeler(fake, tmp_path)
        assert llm.answer(OWN_VOICE, IRAN) == ("none", "إيران دولة راعية للإرهاب", "evidence_not_in_text")
        assert llm.label(OWN_VOICE, IRAN).evidence == ()
        fake.route("سياستها", answer("favor", ""))
        assert llm.answer(OWN_VOICE, IRAN, title="آخر") == ("none", None, "no_evidence")
    assert llm.cost["llm:none:evidence_not_in_text"] == 2 and llm.cost["llm:none:no_evidence"] == 1


def test_evidence_in_quoted_or_reported_speech_makes_the_label_none(tmp_path):
    with serve() as fake:
        fake.route("دولة مارقة", answer("against", "إيران دولة مارقة"))
        fake.route("الوفد الإيراني", answer("against", "«تمارس سياسة عدوانية»"))  # quote marks around it are fine
        llm = labeler(fake, tmp_path)
        assert llm.answer(REPORTED, IRAN) == ("none", "إيران دولة مارقة", "evidence_in_quoted_speech")
        assert llm.answer(QUOTED, IRAN) == ("none", "تمارس سياسة عدوانية", "evidence_in_quoted_speech")
        assert llm.label(QUOTED, IRAN) == ("none", None, (), ("تمارس سياسة عدوانية",))  # who said what
        # the same words in the outlet's own sentence do count, however the text spaces them...
        own = "منذ عقود  وإيران دولة مارقة تزعزع\tجيرانها. وعقد الوزراء اجتماعا لبحث التطورات."
        fake.routes = {"منذ عقود": [answer("against", "دولة مارقة تزعزع جيرانها")]}
        assert llm.answer(own, IRAN) == ("against", "دولة مارقة تزعزع جيرانها", None)
        # ...but not a span running over two sentences, which may join the outlet's voice to someone else's
        fake.routes = {"منذ عقود": [answer("against", "جيرانها. وعقد الوزراء")]}
        assert llm.answer(own, IRAN, title="آخر") == ("none", "جيرانها. وعقد الوزراء", "evidence_across_clauses")


def test_over_budget_documents_are_none_and_counted(tmp_path):
    texts = [f"{OWN_VOICE} الخبر رقم {i}" for i in range(4)]
    with serve() as fake:
        fake.route("سياستها", answer("against", "سياستها التخريبية", tokens=100))
        llm = labeler(fake, tmp_path, max_requests=2)
        got = [llm.answer(t, IRAN) for t in texts]
        assert [a.reason for a in got] == [None, None, "budget", "budget"]
        assert len(fake.requests) == 2 and llm.cost["llm:budget"] == 2 and not llm.cost["llm:failed"]
        tokens = labeler(fake, tmp_path, max_tokens=150, cache_dir=None)  # spent once the usage reaches it
        assert [tokens.answer(t, IRAN).reason for t in texts] == [None, None, "budget", "budget"]
        assert tokens.cost["llm:tokens"] == 200
    # what was over budget is not cached: a later run with a budget asks for it
    with serve() as fake:
        fake.route("سياستها", answer("against", "سياستها التخريبية"))
        again = labeler(fake, tmp_path)
        assert [again.answer(t, IRAN).label for t in texts] == ["against"] * 4
        assert len(fake.requests) == 2 and again.cost["llm:cache_hits"] == 2


def test_a_rerun_is_answered_from_the_cache(tmp_path):
    with serve() as fake:
        fake.route("سياستها", answer("against", "سياستها التخريبية"))
        fake.route("دولة مارقة", answer("none"))
        first = labeler(fake, tmp_path)
        assert [first.label(t, IRAN).label for t in (OWN_VOICE, REPORTED)] == ["against", "none"]
        second = labeler(fake, tmp_path)
        assert [second.label(t, IRAN).label for t in (OWN_VOICE, REPORTED)] == ["against", "none"]
        assert len(fake.requests) == 2
        assert dict(second.cost) == {"llm:cache_hits": 2, "llm:against": 1, "llm:none": 1}
        # another prompt, model or text is another key
        labeler(fake, tmp_path, describe={"iran": "the Iranian state"}).label(OWN_VOICE, IRAN)
        LLMStance(LLMStanceConfig(base_url=fake.url, model="other", cache_dir=str(tmp_path / "cache"))).label(
            OWN_VOICE, IRAN)
        assert len(fake.requests) == 4


def test_the_key_comes_from_the_environment(tmp_path, monkeypatch):
    with serve() as fake:
        with pytest.raises(BuildError, match="STANCE_KEY, which is not set"):
            labeler(fake, tmp_path, api_key_env="STANCE_KEY")
        monkeypatch.setenv("STANCE_KEY", "sk-test")
        labeler(fake, tmp_path, api_key_env="STANCE_KEY").label(OWN_VOICE, IRAN)
        assert fake.requests[-1]["auth"] == "Bearer sk-test"
        fake.route("سياستها", Reply(401))
        with pytest.raises(BuildError, match="answered 401"):  # a wrong key fails the build, not each document
            labeler(fake, tmp_path, api_key_env="STANCE_KEY", cache_dir=None).label(OWN_VOICE, IRAN)


def test_requests_are_sent_a_few_at_a_time_ahead_of_the_labels(tmp_path):
    texts = [f"{OWN_VOICE} رقم {i}" for i in range(6)]
    with serve() as fake:
        fake.delay = 0.05
        fake.route("سياستها", answer("against", "سياستها التخريبية", tokens=50))
        llm, stats = labeler(fake, tmp_path, concurrency=3, read_ahead=4), StageStats("label")
        out = []
        for text in llm.ahead(iter(texts), lambda t: [(t, IRAN, None), (t, IRAN, None)], stats):
            asked = len(fake.requests)
            out.append(llm.label(text, IRAN))
            assert len(fake.requests) == asked  # answered before the label was asked for
    assert [s.label for s in out] == ["against"] * 6
    assert len(fake.requests) == 6 and 1 < fake.most_in_flight <= 3  # one request per (text, target), 3 threads
    assert stats.notes == {"llm:requests": 6, "llm:tokens": 300, "llm:against": 6} and stats.seconds > 0


def test_the_label_stage_shows_its_documents_to_the_llm_labeler_first(tmp_path):
    with serve() as fake:
        fake.route("سياستها", answer("against", "سياستها التخريبية", tokens=50))
        stance = LLMStanceConfig(base_url=fake.url, model="fake-model", cache_dir=str(tmp_path / "cache"))
        stage = Labeler(LabelConfig(targets=[TargetConfig(id="iran", ar=["إيران"])], stance=stance))
        docs = [Doc(id=f"d{i}", source_file="x", text=f"{OWN_VOICE} رقم {i}", title="خبر") for i in range(3)]
        docs.append(Doc(id="none", source_file="x", text="خبر عن الطقس لا يذكر أحدا"))
        stats = StageStats("label")
        out = list(stage.run(iter(docs), stats, []))
    assert [d.stance_labeler for d in out] == ["llm"] * 4
    assert [d.stances[0]["stance"] for d in out[:3]] == ["against"] * 3 and out[3].stances == []
    assert out[0].stance == STANCE_LABELS.index("against") and out[0].stance_evidence == ["سياستها التخريبية"]
    assert stats.notes == {"llm:requests": 3, "llm:tokens": 150, "llm:against": 3}
    assert stats.docs_in == stats.docs_out == 4


def test_the_cache_lives_in_the_build_folder_and_a_typo_fails(tmp_path):
    cfg = typed_config("label/stance=llm", "label.stance.base_url=http://localhost:1/v1", "label.stance.model=m",
                       f"output.path={tmp_path / 'out'}")
    assert cfg.label.stance.cache_dir == f"{tmp_path / 'out'}/.build/llm_cache"
    with pytest.raises(Exception, match="modle"):
        typed_config("label/stance=llm", "label.stance.base_url=http://localhost:1/v1", "label.stance.modle=x")


def test_the_card_says_what_the_llm_cost():
    label = StageStats("label", notes=Counter({"llm:requests": 12, "llm:retries": 2, "llm:tokens": 12345,
                                                "llm:cache_hits": 3, "llm:against": 4, "llm:none": 6,
                                                "llm:none:budget": 2, "llm:none:evidence_in_quoted_speech": 1}))
    stats = BuildResult("in", 1, {}, {}, 0, 0, 0, {}, [StageStats("read"), label], {}, None, "f")
    [line, _] = llm_cost(stats, {"label": {"stance": {"model": "qwen"}}})
    assert line == ("Stance by the LLM `qwen`: 12 requests (2 of them retries), 12,345 tokens, 3 answers from the "
                    "cache; labels favor 0, against 4, none 6; set to none (reason: count): budget 2, "
                    "evidence_in_quoted_speech 1.")
    assert llm_cost(BuildResult("in", 1, {}, {}, 0, 0, 0, {}, [StageStats("label")], {}, None, "f"), {}) == []


@pytest.mark.slow  # a whole build, in this process
def test_a_build_with_the_llm_labeler_counts_its_cost_and_a_rebuild_asks_nothing(tmp_path):
    rng = random.Random(3)
    records = [{"text": f"{OWN_VOICE}\n{article(rng)}\nرقم {i}", "title": f"إيران والمنطقة {i}",
                "url": f"https://example.com/news/{i}"} for i in range(4)]
    records.append({"text": f"{REPORTED}\n{article(rng)}", "title": "اجتماع الوزراء", "url": "https://example.com/r"})
    data = write_jsonl(tmp_path / "in" / "news.jsonl", records)
    with serve() as fake:
        fake.route("سياستها التخريبية", answer("against", "سياستها التخريبية", tokens=80))
        fake.route("دولة مارقة", answer("against", "إيران دولة مارقة", tokens=80))
        settings = ["label/stance=llm", f"label.stance.base_url={fake.url}", "label.stance.model=fake-model",
                    "near_dup.enabled=false", "label.targets=[{id: iran, ar: ['إيران']}]"]
        stats = build(data, tmp_path / "out", *settings)
        notes = next(s for s in stats["stages"] if s["stage"] == "label")["notes"]
        assert notes == {"llm:requests": 5, "llm:tokens": 400, "llm:against": 4,
                         "llm:none:evidence_in_quoted_speech": 1}
        card = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
        assert ("Stance by the LLM `fake-model`: 5 requests (0 of them retries), 400 tokens, 0 answers from the cache; "
                "labels favor 0, against 4, none 0; set to none (reason: count): evidence_in_quoted_speech 1.") in card
        cache = tmp_path / "out" / ".build" / "llm_cache"
        build(data, tmp_path / "again", *settings, f"label.stance.cache_dir={cache}")
        assert len(fake.requests) == 5  # the same texts in another build: every answer from the cache
