"""`publish-corpus OUT --repo-id org/name`: upload a finished build to the Hugging Face Hub as a dataset repo.

Only the files the repo lacks or holds with other bytes are uploaded (an update's new and rewritten shards, the
card, stats.json; compared by the Hub's sha256 or git blob id). The data shards go first, in a few large commits;
the card, stats.json and the removal of shards an earlier publish left behind go last, so the card never describes
files that are not there yet. Each commit is planned again from the repo's current files on every attempt: a retry
after a lost response finds the work done and makes no second commit. The token comes from HF_TOKEN or the user's
`hf auth login`, is handed only to `huggingface_hub`, and is scrubbed from everything this command prints.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx2
from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi, get_token
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.hf_api import RepoFile

from builder.card_validator import card_problems
from builder.fingerprint import file_hash

log = logging.getLogger("builder.publish")
T = TypeVar("T")

OWNED = ("data/", "rejected/")  # folders the build owns on the Hub: files there that the build lacks are stale
LAST = ("README.md", "stats.json")  # committed last, with the deletions
TRANSIENT_STATUS = {408, 429, 500, 502, 503, 504}
TRANSIENT_ERRORS = (httpx2.TimeoutException, httpx2.NetworkError, httpx2.RemoteProtocolError)


class PublishError(Exception):
    """A failure the user can act on; printed as one line."""


@dataclass(frozen=True)
class Upload:
    path: str  # in the repo, posix
    local: Path
    size: int


def build_files(out: Path) -> list[Upload]:
    """The files of a finished build, without its working files (`.build/`) or any other hidden file."""
    if not out.is_dir():
        raise PublishError(f"{out} is not a folder")
    missing = [name for name in (".build", "README.md", "stats.json") if not (out / name).exists()]
    if missing or not any(out.glob("data/*.parquet")):
        raise PublishError(f"{out} is not a build-corpus output folder (missing: {', '.join(missing) or 'data/'}); "
                           "run build-corpus first")
    problems = card_problems((out / "README.md").read_text(encoding="utf-8"))
    if problems:
        raise PublishError(f"{out}/README.md would be rejected by the Hub: {'; '.join(problems)}")
    files = [p for p in sorted(out.rglob("*")) if p.is_file()
             and not any(part.startswith(".") for part in p.relative_to(out).parts)]
    return [Upload(p.relative_to(out).as_posix(), p, p.stat().st_size) for p in files]


def plan_commits(files: list[Upload], max_bytes: int, max_files: int) -> list[list[Upload]]:
    """Data in commits of at most max_bytes / max_files (a bigger file gets a commit of its own); the card last."""
    commits: list[list[Upload]] = []
    for f in (f for f in files if f.path not in LAST):
        if not commits or len(commits[-1]) >= max_files or sum(u.size for u in commits[-1]) + f.size > max_bytes:
            commits.append([])
        commits[-1].append(f)
    return [*commits, [f for f in files if f.path in LAST]]


def git_oid(path: Path) -> str:
    """A file's git blob id: what the Hub reports for a file kept in git (not LFS)."""
    data = path.read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def unchanged(file: Upload, remote: RepoFile | None) -> bool:
    """The repo already holds this file's bytes: the LFS sha256, or the git blob id, is the local file's."""
    if remote is None or remote.size != file.size:
        return False
    if remote.lfs is not None:
        return remote.lfs.sha256 == file_hash(file.local)
    return remote.blob_id == git_oid(file.local)


def human(size: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} TB"


def describe(commits: list[list[Upload]], repo_id: str, revision: str) -> str:
    files = [f for c in commits for f in c]
    lines = [f"would publish {len(files)} files ({human(sum(f.size for f in files))}) to dataset {repo_id} "
             f"at {revision} in {len(commits)} commits; nothing was uploaded"]
    for i, commit in enumerate(commits, 1):
        lines.append(f"commit {i}/{len(commits)}:")
        lines += [f"  {f.path:<50} {human(f.size):>10}" for f in commit]
    lines.append(f"files under {', '.join(OWNED)} on the Hub that this build lacks are deleted in the last commit")
    return "\n".join(lines)


def transient(err: BaseException | None) -> bool:
    """A network hiccup or a server-side 5xx/429 anywhere in the exception's chain: worth another try."""
    while err is not None:
        if isinstance(err, TRANSIENT_ERRORS):
            return True
        if isinstance(err, HfHubHTTPError) and err.response is not None and \
                err.response.status_code in TRANSIENT_STATUS:
            return True
        err = err.__cause__ or err.__context__
    return False


def retrying(action: Callable[[], T], what: str, attempts: int = 5, wait: float = 2.0) -> T:
    """Run `action`, again after a growing pause when it fails for a transient reason; the last try raises."""
    for attempt in range(1, attempts):
        try:
            return action()
        except Exception as err:
            if not transient(err):
                raise
            log.warning("%s failed (%s), retrying in %.0f s (%d/%d)", what, type(err).__name__, wait, attempt,
                        attempts - 1)
            time.sleep(wait)
            wait = min(wait * 2, 60)
    return action()


class Publisher:
    def __init__(self, api: HfApi, repo_id: str, revision: str):
        self.api, self.repo_id, self.revision = api, repo_id, revision

    def ensure_repo(self, private: bool) -> None:
        retrying(lambda: self.api.create_repo(self.repo_id, repo_type="dataset", private=private, exist_ok=True),
                 "create repo")
        info = retrying(lambda: self.api.dataset_info(self.repo_id), "repo info")
        if private and not info.private:
            raise PublishError(f"{self.repo_id} already exists and is public; --private will not upload to it "
                               "(make it private on the Hub first)")
        if self.revision != "main":
            retrying(lambda: self.api.create_branch(self.repo_id, branch=self.revision, repo_type="dataset",
                                                    exist_ok=True), "create branch")

    def commit(self, files: list[Upload], message: str, prune: set[str] | None) -> None:
        """One commit, planned afresh on each attempt; `prune`: the build's paths, to delete stale shards."""
        def attempt() -> None:
            operations = [CommitOperationAdd(path_in_repo=f.path, path_or_fileobj=str(f.local)) for f in files]
            if prune is not None:
                remote = self.api.list_repo_files(self.repo_id, repo_type="dataset", revision=self.revision)
                operations += [CommitOperationDelete(path_in_repo=p) for p in remote
                               if p.startswith(OWNED) and p not in prune]
            if not operations:  # nothing changed since the last publish
                return
            self.api.create_commit(self.repo_id, operations, commit_message=message, repo_type="dataset",
                                   revision=self.revision)
        retrying(attempt, message)

    def remote_files(self) -> dict[str, RepoFile]:
        """The repo's files at the revision, with their sizes and content ids."""
        entries = retrying(lambda: list(self.api.list_repo_tree(self.repo_id, recursive=True, repo_type="dataset",
                                                                revision=self.revision)), "list files")
        return {e.path: e for e in entries if isinstance(e, RepoFile)}

    def changed(self, files: list[Upload]) -> list[Upload]:
        """The files the repo lacks or holds with other bytes: an update's new and rewritten shards, the card and
        stats; the shards an update left as they were are not uploaded again."""
        remote = self.remote_files()
        return [f for f in files if not unchanged(f, remote.get(f.path))]

    def publish(self, files: list[Upload], fingerprint: str, private: bool, max_bytes: int, max_files: int) -> int:
        """Upload what changed, data first and the card last (with the deletions); returns the files uploaded."""
        self.ensure_repo(private)
        paths = {f.path for f in files}
        send = self.changed(files)
        commits = plan_commits(send, max_bytes, max_files)
        if len(send) < len(files):
            log.info("%d of %d files are on the Hub as they are here: not uploaded again", len(files) - len(send),
                     len(files))
        for i, files in enumerate(commits, 1):
            last = i == len(commits)
            message = f"build {fingerprint}: {'card and stats' if last else 'data'} ({i}/{len(commits)})"
            log.info("commit %d/%d: %d files, %s", i, len(commits), len(files), human(sum(f.size for f in files)))
            self.commit(files, message, paths if last else None)
        return len(send)


class Redact(logging.Filter):
    """Scrub the token from every log record, whoever logs it."""

    def __init__(self, secret: str | None):
        super().__init__()
        self.secret = secret

    def scrub(self, text: str) -> str:
        return text.replace(self.secret, "***") if self.secret else text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self.scrub(record.getMessage()), None
        return True


def one_line(err: BaseException) -> str:
    return " ".join(str(err).split())[:500] or type(err).__name__


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="publish-corpus", description="Upload a build-corpus output folder to the "
                                "Hugging Face Hub as a dataset repo (token: HF_TOKEN or `hf auth login`).")
    p.add_argument("out", type=Path, help="the output folder of build-corpus")
    p.add_argument("--repo-id", required=True, help="org/name on the Hub")
    p.add_argument("--private", action="store_true", help="create the repo private (and refuse a public one)")
    p.add_argument("--revision", default="main", help="branch to commit to (created if missing)")
    p.add_argument("--dry-run", action="store_true", help="list the files and commits, upload nothing")
    p.add_argument("--commit-bytes", type=int, default=20_000_000_000, help="largest commit of data files")
    p.add_argument("--commit-files", type=int, default=100, help="most data files in one commit")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    token = None if args.dry_run else get_token()
    redact = Redact(token)
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(redact)
    logging.basicConfig(level=logging.WARNING, format="%(message)s", handlers=[handler], force=True)
    log.setLevel(logging.INFO)
    logging.captureWarnings(True)
    try:
        files = build_files(args.out)
        commits = plan_commits(files, args.commit_bytes, args.commit_files)
        if args.dry_run:
            print(describe(commits, args.repo_id, args.revision))
            return 0
        if not token:
            raise PublishError("no Hugging Face token: set HF_TOKEN or run `hf auth login`")
        fingerprint = json.loads((args.out / "stats.json").read_text())["fingerprint"]
        sent = Publisher(HfApi(token=token), args.repo_id, args.revision).publish(
            files, fingerprint, args.private, args.commit_bytes, args.commit_files)
    except PublishError as err:
        print(f"publish-corpus: error: {redact.scrub(str(err))}", file=sys.stderr)
        return 2
    except Exception as err:  # anything from the Hub or the network: one line, never the token
        print(f"publish-corpus: error: publishing {args.repo_id} failed: {type(err).__name__}: "
              f"{redact.scrub(one_line(err))}", file=sys.stderr)
        return 1
    print(f"published {len(files)} files ({sent} uploaded, the others already there) to "
          f"{args.repo_id}@{args.revision}: "
          f"load with datasets.load_dataset({args.repo_id!r})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
