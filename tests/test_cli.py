"""`build-corpus` as a user types it: composed config, typed errors, sweeps, help, progress, Ctrl-C."""

import io
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
import yaml

import builder
from builder.executor import Progress
from conftest import SEED_PAGE, cli

ERROR = "build-corpus: error: "


def run(*args):
    return subprocess.run(cli(*args), capture_output=True, text=True, timeout=300)


def test_cfg_job_prints_the_composed_config():
    result = run("--cfg", "job", "near_dup.threshold=0.8")
    cfg = yaml.safe_load(result.stdout)
    assert cfg["near_dup"]["threshold"] == 0.8
    assert cfg["stages"][0] == "extract" and cfg["language"]["_target_"].endswith("LanguageFilter")


def test_unknown_key_and_wrong_type_fail_before_any_work(tmp_path):
    unknown = run("language.min_scor=0.3", f"output.path={tmp_path}/a")
    assert unknown.returncode == 2 and unknown.stdout == ""
    assert unknown.stderr == f"{ERROR}unknown setting language.min_scor (did you mean language.min_score?)\n"
    wrong = run("near_dup.num_perm=many", f"output.path={tmp_path}/b")
    assert wrong.returncode == 2
    assert wrong.stderr == f"{ERROR}near_dup.num_perm: Value 'many' of type 'str' could not be converted to Integer\n"
    option = run("executor=rayy", f"output.path={tmp_path}/c")
    assert option.returncode == 2
    assert option.stderr == f"{ERROR}unknown option executor=rayy (did you mean executor=ray?)\n"
    # an option group set like a value: its name with a slash picks the option
    dotted = run("label.stance=llm", f"output.path={tmp_path}/d")
    assert dotted.returncode == 2
    assert dotted.stderr == (f"{ERROR}label.stance is chosen from the option group label/stance "
                             "(write label/stance=llm)\n")
    assert not any(tmp_path.iterdir())


def test_a_key_added_with_plus_is_no_setting_either(tmp_path):
    """Hydra's own hint for a misspelled key, `+key=value`, adds it; the build would ignore it without a word."""
    added = run("+near_dup.treshold=0.8", f"output.path={tmp_path}/a")
    assert added.returncode == 2
    assert added.stderr == f"{ERROR}unknown setting near_dup.treshold (did you mean near_dup.threshold?)\n"
    swept = run("-m", "+near_dup.treshold=0.7,0.8", f"output.path={tmp_path}/b")  # every job checked before any
    assert swept.returncode == 2 and swept.stderr == added.stderr
    assert not any(tmp_path.iterdir())


def test_removing_a_group_fails_instead_of_running_with_its_defaults(tmp_path):
    result = run("~near_dup", f"output.path={tmp_path}/a")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "~near_dup: removing a setting or group is not supported" in result.stderr
    assert "near_dup.enabled=false" in result.stderr and not (tmp_path / "a").exists()


def test_help_says_what_the_tool_does_before_the_settings():
    result = run("--help")
    assert result.returncode == 0
    about, settings = result.stdout.split("== Settings, as composed ==")
    assert about.startswith("build-corpus turns scraped Arabic news")
    for words in ["output.path", "near_dup.threshold=0.8", "--cfg job", "executor=ray"]:
        assert words in about
    assert "near_dup:\n  enabled: true" in settings


@pytest.mark.slow  # a process of its own (a CLI build, workers, Ray or a wheel)
def test_sweep_writes_one_output_folder_per_job(tmp_path):
    result = run("-m", f"input.path={SEED_PAGE}", f"output.path={tmp_path}/sweep", "quality.min_words=10,400")
    assert result.returncode == 0, result.stderr
    small, large = tmp_path / "sweep" / "quality.min_words=10", tmp_path / "sweep" / "quality.min_words=400"
    assert (small / "README.md").exists() and (large / "README.md").exists()
    assert '"kept": 2' in (small / "stats.json").read_text()
    assert '"kept": 0' in (large / "stats.json").read_text()


@pytest.mark.slow  # a process of its own (a CLI build, workers, Ray or a wheel)
def test_a_missing_value_or_a_stage_that_cannot_start_is_one_line(tmp_path):
    missing = run("label/stance=classifier", f"output.path={tmp_path}/a")
    assert missing.returncode == 2
    assert missing.stderr.strip() == "build-corpus: error: label.stance.model has no value: set it, e.g. " \
                                     "label.stance.model=..."
    absent = run("label/stance=classifier", f"label.stance.model={tmp_path}/none.joblib", f"output.path={tmp_path}/b")
    assert absent.returncode == 2 and absent.stderr.count("\n") == 1 and "stance model not found" in absent.stderr
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def with_progress_every(seconds: float, *args: str) -> list[str]:
    """The CLI with the progress lines' interval lowered, so a build of one page shows them."""
    code = f"import builder.executor as e; e.PROGRESS_SECONDS = {seconds}; from builder.cli import main; main()"
    return [sys.executable, "-c", code, *args]


@pytest.mark.slow  # a process of its own (a CLI build, workers, Ray or a wheel)
def test_progress_is_plain_lines_where_stderr_is_no_terminal(tmp_path):
    result = subprocess.run(with_progress_every(0, f"input.path={SEED_PAGE}", f"output.path={tmp_path}/out"),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert any(re.fullmatch(r"documents: 1/1 tasks, 1 docs, [\d,]+ docs/s, done in \d+s", line) for line in lines)
    assert all(re.fullmatch(r"[a-z :-]+: \d+/\d+ tasks(, .+ docs/s)?, (ETA|done in) \w+", line) for line in lines)
    assert "\r" not in result.stderr  # no progress bar in a file


def test_a_progress_line_counts_tasks_and_documents_and_estimates_the_rest():
    stream = io.StringIO()
    progress = Progress("documents", total=4, done=1, every=0, stream=stream)
    progress.update(1500)
    progress.update(None)  # a task that reports no documents
    progress.update(2000)
    first, _, last = stream.getvalue().splitlines()
    assert re.fullmatch(r"documents: 2/4 tasks, 1,500 docs, [\d,]+ docs/s, ETA \d+s", first)
    assert re.fullmatch(r"documents: 4/4 tasks, 3,500 docs, [\d,]+ docs/s, done in \d+s", last)
    quiet = io.StringIO()
    Progress("documents", total=2, done=0, every=3600, stream=quiet).update(10)
    assert quiet.getvalue() == ""  # at most one line an interval


def as_a_terminal_starts_it() -> None:
    """Ctrl-C handled and not blocked, whatever the test process inherited or was left with by an earlier test in
    it (the command ran to exit 0 after a Ctrl-C in the full suite only, never alone: it was ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@pytest.mark.slow  # a process of its own (a CLI build, workers, Ray or a wheel)
def test_ctrl_c_stops_the_workers_says_how_to_resume_and_the_rerun_finishes(tmp_path):
    out = tmp_path / "out"
    # the sample corpus, not one page: with workers forked ready-built, a one-page build could end between the
    # first progress line and the Ctrl-C (it did, in the full suite on a busy machine: exit 0)
    args = [f"input.path={Path(builder.__file__).parent / 'sample' / 'pages'}", f"output.path={out}"]
    # a session of its own, so the Ctrl-C goes to the whole process group, as a terminal sends it
    build = subprocess.Popen(cli(*args, "executor.workers=2"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, start_new_session=True, preexec_fn=as_a_terminal_starts_it)
    assert build.stdout is not None
    for line in build.stdout:
        if line.startswith("documents: "):  # the workers are up, the first phase starts
            break
    workers = psutil.Process(build.pid).children()
    assert build.poll() is None, "the build ended before the Ctrl-C was sent"
    os.killpg(build.pid, signal.SIGINT)
    _, err = build.communicate(timeout=120)
    assert build.returncode == 130
    assert err.splitlines() == [f"build-corpus: interrupted; rerun the same command to resume (finished work in "
                                f"{out}/.build is kept)"]  # and no worker's traceback
    assert len(workers) >= 2 and not psutil.wait_procs(workers, timeout=10)[1]
    rerun = run(*args)  # without the workers' start-up (seconds each); their count is no part of what is resumed
    assert rerun.returncode == 0, rerun.stderr
    assert f"output: {out}" in rerun.stdout
