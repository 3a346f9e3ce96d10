"""`train-stance --from-llm`: the LLM (a local fake endpoint) labels a stratified sample, the classifier learns it."""

from __future__ import annotations

import json
import random
import re
from collections import Counter

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from llm_server import answer, serve

from builder.config import ClassifierStanceConfig
from builder.stance import ClassifierStance, Targets, quality_path
from builder.stance.cli import main as train_stance
from builder.stance.distill import Pair, stratified
from conftest import SENTENCES

IRAN = Targets([{"id": "iran", "ar": ["إيران"]}]).get("iran")
# the outlet's own framing, written for these tests; the fake LLM answers by these words
AGAINST = ["تواصل إيران سياستها التخريبية في المنطقة", "تمضي إيران في نهجها التخريبي المدمر",
           "إيران تنشر الفوضى التخريبية في جوارها"]
FAVOR = ["تواصل إيران مبادراتها الحكيمة للسلام", "خطوة إيرانية حكيمة تعزز الاستقرار في إيران",
         "إيران تمد يدها بحكمة ومسؤولية للجيران"]
NONE = ["زار وفد من إيران العاصمة اليوم", "وصل وزير خارجية إيران إلى المدينة في زيارة رسمية",
        "عقدت إيران والعراق اجتماعا فنيا بشأن المياه"]


def corpus(path, n=60, seed=0):
    """A built corpus's columns (text, title, outlet): three outlets, the stances in turn."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        lead = [AGAINST, FAVOR, NONE][i % 3][i // 3 % 3]
        rows.append({"text": f"{lead}. {'. '.join(rng.sample(SENTENCES, 3))}. رقم {i}",
                     "title": f"خبر {i}", "outlet": ["alpha", "beta", "gamma"][i % 4 % 3]})
    rows.append({"text": "خبر عن الطقس لا يذكر أي دولة", "title": "طقس", "outlet": "alpha"})
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def routes(fake):
    for lead in AGAINST:
        fake.route(lead, answer("against", lead))
    for lead in FAVOR:
        fake.route(lead, answer("favor", lead))


@pytest.mark.slow  # two trainings, the second cross-validated: seconds on a busy machine (the fast loop keeps the next)
def test_distil_an_llm_into_the_classifier(tmp_path, capsys):
    data, model = corpus(tmp_path / "corpus.parquet"), tmp_path / "models" / "stance.joblib"
    args = ["--from-llm", "--data", str(data), "--out", str(model), "--sample", "45", "--min-precision", "0"]
    with serve() as fake:
        routes(fake)
        settings = ["--set", f"label.stance.base_url={fake.url}", "label.stance.model=fake-model",
                    "label.targets=[{id: iran, ar: ['إيران']}]", "label.stance.backoff=0"]
        train_stance([*args, *settings, "--folds", "1"])
        assert len(fake.requests) == 45  # one per sampled (document, target); the weather piece names no target
        train_stance([*args, *settings, "--folds", "2"])  # a rerun: every answer from the cache
        assert len(fake.requests) == 45
    out = json.loads(capsys.readouterr().out.splitlines()[-1])
    sample = [json.loads(line) for line in model.with_suffix(".llm.jsonl").read_text(encoding="utf-8").splitlines()]
    assert out["examples"]["iran"] == dict(Counter(r["label"] for r in sample)) and len(out["examples"]["iran"]) == 3
    assert len(sample) == 45 and len({r["row"] for r in sample}) == 45
    assert Counter(r["stratum"][1] for r in sample) == {"alpha": 15, "beta": 15, "gamma": 15}  # outlets take turns
    assert all(r["evidence"] in r["text"] for r in sample if r["label"] != "none")
    quality = json.loads(quality_path(model).read_text(encoding="utf-8"))
    how = quality["labelled_by"]
    assert how["model"] == "fake-model" and how["strata"] == ["target", "outlet"]
    assert how["cost"]["llm:cache_hits"] == 45 and "llm:requests" not in how["cost"]  # the rerun's
    assert quality["targets"]["iran"]["n"] == 45 and quality["measured"] == "cross-validation on the LLM's labels"
    # the build then labels at scale with the classifier, no LLM in sight
    classifier = ClassifierStance(ClassifierStanceConfig(model=str(model)))
    assert classifier.label("تواصل إيران سياستها التخريبية في الخليج", IRAN, "خبر").label == "against"
    assert classifier.label("تواصل إيران مبادراتها الحكيمة للسلام في الخليج", IRAN, "خبر").label == "favor"


def test_unanswered_pairs_are_kept_out_of_training(tmp_path, capsys):
    data, model = corpus(tmp_path / "corpus.parquet", n=30), tmp_path / "stance.joblib"
    with serve() as fake:
        routes(fake)
        train_stance(["--from-llm", "--data", str(data), "--out", str(model), "--sample", "30", "--folds", "2",
                      "--min-precision", "0", "--labelled", str(tmp_path / "sample.jsonl"),
                      "--set", f"label.stance.base_url={fake.url}", "label.stance.model=m", "label.stance.backoff=0",
                      "label.stance.max_requests=24", "label.targets=[{id: iran, ar: ['إيران']}]"])
        with pytest.raises(SystemExit):
            train_stance(["--from-llm", "--data", str(data), "--out", str(model), "--set",
                          f"label.stance.base_url={fake.url}", "label.stance.model=m",
                          "label.targets=[{id: x, ar: ['غائب']}]"])
    printed = capsys.readouterr()
    sample = [json.loads(line) for line in (tmp_path / "sample.jsonl").read_text(encoding="utf-8").splitlines()]
    assert Counter(r["reason"] for r in sample) == {None: 24, "budget": 6}
    assert sum(json.loads(printed.out)["examples"]["iran"].values()) == 24
    assert re.search("no row of .* mentions a target of label.targets [(]x[)]", printed.err)


def test_train_stance_from_llm_says_what_is_missing(tmp_path, capsys):
    data = corpus(tmp_path / "corpus.parquet", n=6)
    for extra, message in [([], "label.stance.base_url has no value"),
                           (["label.stance.base_url=http://127.0.0.1:9/v1", "label.stance.modle=m"],
                            "unknown setting label.stance.modle")]:
        with pytest.raises(SystemExit) as exit:
            train_stance(["--from-llm", "--data", str(data), "--out", str(tmp_path / "m.joblib"), "--set", *extra])
        assert exit.value.code == 2 and re.search(message, capsys.readouterr().err)


def test_the_strata_take_turns():
    pairs = [Pair("t", None, IRAN, ("iran", outlet), i) for i, outlet in enumerate(["big"] * 20 + ["small"] * 3)]
    picked = stratified(pairs, 8, seed=1)
    assert Counter(p.stratum[1] for p in picked) == {"big": 5, "small": 3}
    assert [p.row for p in stratified(pairs, 8, seed=1)] == [p.row for p in picked]  # seeded
    assert len(stratified(pairs, 100, seed=1)) == 23
