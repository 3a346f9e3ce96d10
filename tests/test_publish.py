"""`publish-corpus` against a local Hub-compatible server: the real `huggingface_hub` client uploads a real
build, and `load_dataset("org/name")` through the same server reads back what the output folder holds."""

import json
import os
import random
import shutil
import subprocess
import sys

import pytest
from hub_server import HubServer

from builder.publish import Upload, plan_commits
from conftest import SEED_PAGE, article, build, write_jsonl

TOKEN = "hf_FakeToken0123456789abcdefXYZ"  # what the local server accepts; never a real credential


def small_corpus(root):
    rng = random.Random(11)
    for f in range(3):
        write_jsonl(root / f"feed-{f}.jsonl", [
            {"url": f"https://youm7.com/story/{f}/{i}", "title": f"خبر {i} من الملف {f}",
             "published": f"2024-0{1 + i % 9}-1{f}T08:00:00", "text": article(rng)} for i in range(8)])
    write_jsonl(root / "copies.jsonl", [{"url": "https://sabq.org/a", "text": article(rng)}] * 2)
    shutil.copy(SEED_PAGE, root / "seed.txt")
    return root


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    root = tmp_path_factory.mktemp("publish")
    out = root / "out"
    build(small_corpus(root / "in"), out, "quality.min_words=10")
    return out


@pytest.fixture
def hub():
    with HubServer(TOKEN) as hub:
        yield hub


def hub_env(hub, tmp_path, token=TOKEN) -> dict:
    """The environment of a user whose client talks to the local server: Xet off, an isolated HF home (so no
    stored login leaks in), and the token in HF_TOKEN. Set before the client is imported: it reads them then."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env.update(HF_ENDPOINT=hub.url, HF_HUB_DISABLE_XET="1", HF_HOME=str(tmp_path / "hf-home"),
               HF_HUB_DISABLE_TELEMETRY="1")
    if token:
        env["HF_TOKEN"] = token
    return env


def publish(hub, tmp_path, *args, token=TOKEN):
    return subprocess.run([sys.executable, "-m", "builder.publish", *map(str, args)], env=hub_env(hub, tmp_path, token),
                          capture_output=True, text=True, timeout=300)


LOAD = """
import datasets, json, sys
found = []
for path, config, cache, streaming in json.loads(sys.argv[1]):
    ds = datasets.load_dataset(path, config, cache_dir=cache, streaming=streaming)
    found.append({split: {"features": d.features.to_dict(), "rows": list(d)} for split, d in ds.items()})
print(json.dumps(found, default=str, ensure_ascii=False))
"""


def load(env, *loads: tuple) -> list[dict]:
    """`load_dataset` (path, config or None, cache folder, streaming) for each of `loads`, in one fresh process
    (the client reads HF_ENDPOINT at import), each with its own cache: features and rows per split."""
    specs = json.dumps([[str(path), config, str(cache), streaming] for path, config, cache, streaming in loads])
    result = subprocess.run([sys.executable, "-c", LOAD, specs], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def local_files(out) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
            if p.is_file() and not p.relative_to(out).as_posix().startswith(".build/")}


@pytest.mark.slow
def test_published_repo_loads_with_the_features_and_rows_of_the_build(out, hub, tmp_path):
    result = publish(hub, tmp_path, out, "--repo-id", "org/news")
    assert result.returncode == 0, result.stderr
    uploaded = hub.files("org/news")
    assert {p: c for p, c in uploaded.items() if p != ".gitattributes"} == local_files(out)
    assert [c.message for c in map(hub.repos["org/news"].commits.get, hub.repos["org/news"].history)][1:] == \
        [f"build {json.loads((out / 'stats.json').read_text())['fingerprint']}: {what}"
         for what in ("data (1/2)", "card and stats (2/2)")]

    env = hub_env(hub, tmp_path, token=None)  # a public repo: anyone can load it
    local, hub_rows, streamed, hub_rejected, local_rejected = load(
        env, (out, None, tmp_path / "cache-local", False), ("org/news", None, tmp_path / "cache-hub", False),
        ("org/news", None, tmp_path / "cache-stream", True), ("org/news", "rejected", tmp_path / "cache-rej", False),
        (out, "rejected", tmp_path / "c2", False))
    assert set(local) == {"train", "validation", "test"}
    assert hub_rows == local and streamed == local
    assert hub_rejected == local_rejected and local_rejected["train"]["rows"]


@pytest.mark.slow
def test_dry_run_lists_every_file_and_size_and_uploads_nothing(out, hub, tmp_path):
    result = publish(hub, tmp_path, out, "--repo-id", "org/news", "--dry-run", token=None)
    assert result.returncode == 0, result.stderr
    for path, content in local_files(out).items():
        line = next(line for line in result.stdout.splitlines() if line.strip().startswith(path))
        assert line.split()[-2:] == [f"{len(content) / 1000:.1f}", "kB"]  # every file here is 1 kB to 1 MB
    assert ".build" not in result.stdout and "nothing was uploaded" in result.stdout
    assert hub.requests == []


@pytest.mark.slow
def test_a_folder_that_is_not_a_build_fails_with_one_line(hub, tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "README.md").write_text("# my notes\n")
    result = publish(hub, tmp_path, tmp_path / "notes", "--repo-id", "org/news")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "not a build-corpus output folder" in result.stderr
    assert hub.requests == []


@pytest.mark.slow
def test_the_token_never_appears_in_output_card_or_errors(out, hub, tmp_path):
    ok = publish(hub, tmp_path, out, "--repo-id", "org/news")
    assert ok.returncode == 0, ok.stderr
    assert all(TOKEN.encode() not in content for content in hub.files("org/news").values())

    hub.deny_writes = True  # the server's error message quotes the credentials it was sent
    failed = publish(hub, tmp_path, out, "--repo-id", "org/other")
    assert failed.returncode == 1 and "403" in failed.stderr
    assert "***" in failed.stderr  # the token was in the message, and was scrubbed
    for output in (ok.stdout, ok.stderr, failed.stdout, failed.stderr):
        assert TOKEN not in output


@pytest.mark.slow
def test_without_a_token_publish_says_how_to_log_in(out, hub, tmp_path):
    result = publish(hub, tmp_path, out, "--repo-id", "org/news", token=None)
    assert result.returncode == 2 and "HF_TOKEN" in result.stderr
    assert hub.requests == []


@pytest.mark.slow
@pytest.mark.parametrize("applied", [False, True], ids=["failed", "response-lost"])
def test_a_transient_failure_is_retried_without_a_duplicate_commit(out, hub, tmp_path, applied):
    hub.fail("commit", 503 if not applied else 500, applied=applied)
    result = publish(hub, tmp_path, out, "--repo-id", "org/news")
    assert result.returncode == 0, result.stderr
    assert "retrying" in result.stderr
    assert len(hub.repos["org/news"].history) == 3  # the repo's first commit, then data, then the card
    assert {p: c for p, c in hub.files("org/news").items() if p != ".gitattributes"} == local_files(out)


@pytest.mark.slow
def test_republishing_a_rebuild_removes_shards_it_no_longer_has(tmp_path, hub):
    src = small_corpus(tmp_path / "in")
    out = tmp_path / "out"
    build(src, out, "quality.min_words=10", "input.shard_bytes=3000", "write.max_shard_bytes=3000")
    assert publish(hub, tmp_path, out, "--repo-id", "org/news").returncode == 0
    many = {p for p in hub.files("org/news") if p.startswith("data/")}
    build(src, out, "quality.min_words=10")
    assert publish(hub, tmp_path, out, "--repo-id", "org/news").returncode == 0
    remote = hub.files("org/news")
    assert {p for p in remote if p.startswith("data/")} == {p for p in local_files(out) if p.startswith("data/")}
    assert len(many) > len({p for p in remote if p.startswith("data/")}) and ".gitattributes" in remote


@pytest.mark.slow
def test_private_repos_and_branches(out, hub, tmp_path):
    assert publish(hub, tmp_path, out, "--repo-id", "org/secret", "--private", "--revision", "v1").returncode == 0
    repo = hub.repos["org/secret"]
    assert repo.private and "README.md" in hub.files("org/secret", "v1")
    assert set(hub.files("org/secret", "main")) == {".gitattributes"}

    assert publish(hub, tmp_path, out, "--repo-id", "org/open").returncode == 0
    refused = publish(hub, tmp_path, out, "--repo-id", "org/open", "--private")
    assert refused.returncode == 2 and "is public" in refused.stderr


def test_commits_are_few_and_the_card_comes_last(tmp_path):
    files = [Upload(f"data/train-{i:05d}-of-00005.parquet", tmp_path, 400) for i in range(5)]
    files += [Upload("README.md", tmp_path, 10), Upload("stats.json", tmp_path, 5)]
    commits = plan_commits(files, max_bytes=1000, max_files=100)
    assert [[f.path[-22:] for f in c] for c in commits] == [
        ["00000-of-00005.parquet", "00001-of-00005.parquet"], ["00002-of-00005.parquet", "00003-of-00005.parquet"],
        ["00004-of-00005.parquet"], ["README.md", "stats.json"]]
    assert len(plan_commits(files, max_bytes=10**12, max_files=100)) == 2
