"""A non-editable install works: the wheel carries conf/, the card text and the sample corpus."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow  # a process of its own (a CLI build, workers, Ray or a wheel)
def test_wheel_carries_config_card_and_sample(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", str(ROOT),
                    "-w", str(tmp_path)], check=True)
    [wheel] = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"builder/conf/config.yaml", "builder/conf/data/boilerplate.yaml", "builder/dataset_card.md",
            "builder/sample/pages/feed.jsonl"} <= names
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    env = {**os.environ, "PYTHONPATH": str(unpacked)}
    result = subprocess.run([sys.executable, "-m", "builder.cli", "--cfg", "job"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, check=True)
    assert "near_dup:" in result.stdout
    probe = subprocess.run([sys.executable, "-c", "import builder.config as c; print(c.conf_dir())"], cwd=tmp_path,
                           env=env, capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == str(unpacked / "builder" / "conf")
