"""`build-corpus` as a user types it: composed config, typed errors, sweeps."""

import subprocess

import yaml

from conftest import SEED_PAGE, cli


def run(*args):
    return subprocess.run(cli(*args), capture_output=True, text=True, timeout=300)


def test_cfg_job_prints_the_composed_config():
    result = run("--cfg", "job", "near_dup.threshold=0.8")
    cfg = yaml.safe_load(result.stdout)
    assert cfg["near_dup"]["threshold"] == 0.8
    assert cfg["stages"][0] == "extract" and cfg["language"]["_target_"].endswith("LanguageFilter")


def test_unknown_key_and_wrong_type_fail_before_any_work(tmp_path):
    unknown = run("language.min_scor=0.3", f"output.path={tmp_path}/a")
    assert unknown.returncode != 0 and "min_scor" in unknown.stderr
    wrong = run("near_dup.num_perm=many", f"output.path={tmp_path}/b")
    assert wrong.returncode != 0 and "num_perm" in wrong.stderr
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_sweep_writes_one_output_folder_per_job(tmp_path):
    result = run("-m", f"input.path={SEED_PAGE}", f"output.path={tmp_path}/sweep", "quality.min_words=10,400")
    assert result.returncode == 0, result.stderr
    small, large = tmp_path / "sweep" / "quality.min_words=10", tmp_path / "sweep" / "quality.min_words=400"
    assert (small / "README.md").exists() and (large / "README.md").exists()
    assert '"kept": 2' in (small / "stats.json").read_text()
    assert '"kept": 0' in (large / "stats.json").read_text()


def test_a_missing_value_or_a_stage_that_cannot_start_is_one_line(tmp_path):
    missing = run("label/stance=classifier", f"output.path={tmp_path}/a")
    assert missing.returncode == 2
    assert missing.stderr.strip() == "build-corpus: error: label.stance.model has no value: set it, e.g. " \
                                     "label.stance.model=..."
    absent = run("label/stance=classifier", f"label.stance.model={tmp_path}/none.joblib", f"output.path={tmp_path}/b")
    assert absent.returncode == 2 and absent.stderr.count("\n") == 1 and "stance model not found" in absent.stderr
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
