"""The nli stance labeler: which clauses it asks about, how it decides, and a tiny NLI model the test trains."""

from __future__ import annotations

import sys

import pytest

from builder.config import NLIStanceConfig
from builder.errors import BuildError
from builder.stance import NLIStance, Targets
from conftest import typed_config

TARGETS = Targets([{"id": "iran", "ar": ["إيران"], "context": ["طهران الرسمية"]},
                   {"id": "muslim_brotherhood", "ar": ["الإخوان"]}])
IRAN = TARGETS.get("iran")
CUES = {"against": "التخريبية", "favor": "الحكيمة"}  # the stand-in model entails a side from its word


def stand_in(asked: list):
    def score(pairs):
        asked.extend(pairs)
        return [0.95 if CUES["against" if "against" in h else "favor"] in p else 0.1 for p, h in pairs]
    return score


def nli(asked: list, **settings) -> NLIStance:
    return NLIStance(NLIStanceConfig(model="unused", **settings), scorer=stand_in(asked))


def test_only_outlet_voice_clauses_naming_the_target_are_premises():
    asked: list = []
    text = ("وقال المتحدث إن سياسة إيران التخريبية مستمرة. "
            "وأضاف الوزير: «إيران تمارس أعمالها التخريبية في المنطقة» في ختام الزيارة. "
            "وعقد الوزراء اجتماعا في القاهرة. وصل وفد إيران إلى الدوحة.")
    stance = nli(asked).label(text, IRAN, title="زيارة مرتقبة")
    assert stance.label == "none" and stance.evidence == ()  # the hostile words are all someone else's
    assert {p for p, _ in asked} == {"وصل وفد إيران إلى الدوحة."}
    assert {h for _, h in asked} == {"This text is in favour of iran.", "This text is against iran."}


def test_a_side_needs_the_bar_and_a_lead_over_the_other_side():
    asked: list = []
    own = "تواصل إيران سياستها التخريبية في المنطقة. وعقد الوزراء اجتماعا."
    stance = nli(asked).label(own, IRAN, title="إيران والجوار")
    assert stance == ("against", 0.95, ("تواصل إيران سياستها التخريبية في المنطقة.",), ())
    assert nli([], min_entailment=0.96).label(own, IRAN).label == "none"
    both = "تواصل إيران سياستها التخريبية. ثم تمضي إيران في خطوتها الحكيمة."  # 0.95 each way: no lead
    assert nli([]).label(both, IRAN) == ("none", 0.05, (), ())
    assert nli([], min_margin=0.0).label(both, IRAN).label in ("favor", "against")


def test_hypotheses_names_and_context_aliases():
    asked: list = []
    labeler = nli(asked, names={"iran": "إيران"},
                  hypotheses={"favor": "النص يؤيد {target}", "against": "النص ضد {target}"})
    text = "شرحت إيران موقفها. وتواصل طهران الرسمية سياستها التخريبية."
    labeler.label(text, IRAN)
    assert {h for _, h in asked} == {"النص يؤيد إيران", "النص ضد إيران"}
    assert {p for p, _ in asked} == {"شرحت إيران موقفها.", "وتواصل طهران الرسمية سياستها التخريبية."}
    asked.clear()
    labeler.label("تواصل طهران الرسمية سياستها.", IRAN)  # a context alias alone is no mention
    assert asked == []
    brotherhood = TARGETS.get("muslim_brotherhood")
    assert nli([]).hypothesis("against", brotherhood) == "This text is against muslim brotherhood."


def test_bad_settings_and_a_missing_model_are_clear_errors(tmp_path, monkeypatch):
    with pytest.raises(BuildError, match="must give favor and against"):
        nli([], hypotheses={"favor": "for {target}"})
    with pytest.raises(BuildError, match="stance model folder not found"):
        NLIStance(NLIStanceConfig(model=str(tmp_path / "nope")))
    monkeypatch.setitem(sys.modules, "transformers", None)  # as if the extra were not installed
    with pytest.raises(BuildError, match=r"pip install 'arabic-news-corpus-builder\[transformers\]'"):
        NLIStance(NLIStanceConfig(model=str(tmp_path)))


@pytest.mark.slow  # torch and transformers take seconds to import
def test_a_tiny_nli_model_the_test_builds(tmp_path):
    """Real transformers and torch, no download: a one-layer BERT with a thirteen-word vocabulary and random
    (seeded) weights, its labels in an unusual order, saved and loaded by the labeler. The labeler's scores must be
    the softmax of entailment against contradiction that the test computes itself, its decision follow the bars,
    and a reported sentence never reach the model."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "إيران", "سيئ", "جيد", "خبر", "اليوم", "ضد", "مع", "."]
    (tmp_path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = transformers.BertTokenizer(str(tmp_path / "vocab.txt"), do_lower_case=False)
    labels = {0: "NEUTRAL", 1: "Contradiction", 2: "ENTAILMENT"}  # found by name, whatever the order and case
    config = transformers.BertConfig(vocab_size=len(vocab), hidden_size=8, num_hidden_layers=1, num_attention_heads=1,
                                     intermediate_size=8, max_position_embeddings=32, num_labels=3, id2label=labels,
                                     label2id={v: k for k, v in labels.items()}, initializer_range=0.5)
    torch.manual_seed(0)
    model = transformers.BertForSequenceClassification(config).eval()
    model.save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)

    def entailment(premise: str, hypothesis: str) -> float:
        with torch.no_grad():
            logits = model(**tokenizer(premise, hypothesis, return_tensors="pt")).logits[0]
        return float(logits[[1, 2]].softmax(-1)[1])

    settings = {"model": str(tmp_path), "names": {"iran": "إيران"}, "max_length": 32,
                "hypotheses": {"favor": "مع {target}", "against": "ضد {target}"}}
    text = "إيران سيئ . خبر اليوم . قال خبر إن إيران جيد ."
    scores = {side: entailment("إيران سيئ .", f"{word} إيران") for side, word in (("favor", "مع"), ("against", "ضد"))}
    side = max(scores, key=scores.get)
    free = NLIStance(NLIStanceConfig(**settings, min_entailment=0.0, min_margin=0.0))
    assert free.premises(text, IRAN, "خبر") == ["إيران سيئ ."]  # the reported sentence is no premise
    assert free.label(text, IRAN, title="خبر") == (side, round(scores[side], 3), ("إيران سيئ .",), ())
    strict = NLIStance(NLIStanceConfig(**settings, min_entailment=scores[side] + 0.01))
    assert strict.label(text, IRAN, title="خبر") == ("none", round(1 - scores[side], 3), (), ())


def test_the_nli_settings_are_typed():
    cfg = typed_config("label/stance=nli", "label.stance.model=/models/xnli", "label.stance.min_margin=0.1")
    assert isinstance(cfg.label.stance, NLIStanceConfig) and cfg.label.stance.min_margin == 0.1
    with pytest.raises(Exception, match="min_entailmnt"):
        typed_config("label/stance=nli", "label.stance.model=/models/xnli", "label.stance.min_entailmnt=0.5")
