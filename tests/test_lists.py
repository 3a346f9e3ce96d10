"""One fact, one reader: a word-list or data file given in config reaches every stage, and a changed data file is
never silently reused by a rerun."""

import dataclasses
import json
import shutil
from datetime import datetime
from pathlib import Path

import yaml

from builder import lists as word_list_module
from builder.config import conf_dir
from builder.document import Doc
from builder.fingerprint import data_files
from builder.pipeline import build_stages
from conftest import SENTENCES, build, typed_config, write_jsonl

NEW_MONTH = "جانيفييه"  # a January spelling no shipped file has


def months_with_new_name(tmp_path: Path) -> Path:
    months = yaml.safe_load((conf_dir() / "data" / "months.yaml").read_text(encoding="utf-8"))
    months["gregorian"][1].append(NEW_MONTH)
    path = tmp_path / "months.yaml"
    path.write_text(yaml.safe_dump(months, allow_unicode=True), encoding="utf-8")
    return path


def test_a_month_name_added_in_a_months_file_is_found_by_the_rules_and_the_date_parser(tmp_path):
    cfg = typed_config(f"lists.months={months_with_new_name(tmp_path)}", "stages=[clean,metadata]")
    clean, metadata = build_stages(cfg)
    page = f"العنوان\n12 {NEW_MONTH} 2024\n{SENTENCES[0]}. {SENTENCES[1]}."
    doc = metadata.process(clean.process(Doc(id="a", source_file="a", text=page)))
    assert [r.rule for r in doc.removed] == ["published.bare_date"]
    assert doc.published == datetime(2024, 1, 12)
    assert f"12 {NEW_MONTH}" not in doc.text


def test_the_template_phase_reads_its_cuts_with_the_configured_word_lists(tmp_path):
    from builder.templates.phase import masker_for, metadata_for

    cfg = typed_config(f"lists.months={months_with_new_name(tmp_path)}")
    assert metadata_for(cfg).dates.parse(f"3 {NEW_MONTH} 2020") == datetime(2020, 1, 3)
    assert masker_for(cfg).mask(f"نشر في 3 {NEW_MONTH} 2020").shape == "نشر في {date}"


def test_every_data_file_a_build_reads_is_fingerprinted(tmp_path):
    """Each data file copied to a folder of its own and named in config: what the build reads from that folder
    must be among the files the fingerprint hashes."""
    data = tmp_path / "data"
    shutil.copytree(conf_dir() / "data", data)
    cfg = typed_config()
    named = [f"{group}.{key}={data / value}" for group, settings in dataclasses.asdict(cfg).items()
             if isinstance(settings, dict) for key, value in settings.items()
             if isinstance(value, str) and (key.endswith("_file") or group == "lists") and (data / value).is_file()]
    named.append(f"label.stance.calibration_file={data / 'stance_calibration.json'}")
    before = set(word_list_module.FILES_READ)
    corpus = write_jsonl(tmp_path / "in.jsonl", [{"text": f"{SENTENCES[i]}. {SENTENCES[i + 1]}. {SENTENCES[i + 2]}.",
                                                  "published": "2024-05-01"} for i in range(0, 18, 3)])
    build(corpus, tmp_path / "out", *named)
    read = {p for p in word_list_module.FILES_READ - before if p.is_relative_to(data.resolve())}
    settings = dataclasses.asdict(typed_config(*named))
    assert read, "the build read none of the files named in config"
    assert read <= set(data_files(settings))
    assert data.resolve() / "stance_calibration.json" in data_files(settings)


def test_an_edited_calibration_file_makes_the_documents_run_again(tmp_path):
    calibration = tmp_path / "calibration.json"
    shutil.copy(conf_dir() / "data" / "stance_calibration.json", calibration)
    corpus = write_jsonl(tmp_path / "in.jsonl", [{"text": f"{SENTENCES[0]}. {SENTENCES[1]}. {SENTENCES[2]}."}])
    overrides = (f"label.stance.calibration_file={calibration}",)
    build(corpus, tmp_path / "out", *overrides)
    marker = tmp_path / "out" / ".build" / "work" / "done" / "docs-00000"  # holds the documents task's key
    key, made = marker.read_bytes(), (tmp_path / "out" / ".build" / "work" / "docs" / "00000.parquet").stat()
    data = json.loads(calibration.read_text())
    data["none_without_evidence"] = 0.5
    calibration.write_text(json.dumps(data))
    build(corpus, tmp_path / "out", *overrides)
    assert marker.read_bytes() != key
    assert (tmp_path / "out" / ".build" / "work" / "docs" / "00000.parquet").stat().st_mtime_ns != made.st_mtime_ns


def test_paths_to_evaluation_sets_and_tokenizers_are_fingerprinted_too(tmp_path):
    sets, tokenizer = tmp_path / "evals", tmp_path / "tokenizer.json"
    sets.mkdir()
    (sets / "mmlu.jsonl").write_text('{"q": "سؤال"}\n', encoding="utf-8")
    tokenizer.write_text("{}", encoding="utf-8")
    settings = dataclasses.asdict(typed_config(f"decontaminate.sets=[{sets}]", f"tokens.tokenizer={tokenizer}"))
    assert {sets / "mmlu.jsonl", tokenizer} <= set(data_files(settings))
