"""A local stand-in for the Hugging Face Hub: the HTTP endpoints the real `huggingface_hub` client (2.x, Xet
disabled) calls to create a dataset repo, upload to it in commits, and read it back with `load_dataset`.

Repos live in memory as commits of {path: blob}; LFS objects by sha256. It checks what the Hub checks in this
flow (a write needs the right bearer token, an LFS object must be uploaded before a commit names it, a card's
YAML is validated on upload) and can inject failures to test retries. Not a Hub: no users, no PRs, no Xet.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

from builder.card_validator import card_problems

LFS_SUFFIXES = (".parquet", ".arrow", ".bin", ".gz", ".zip")


def git_oid(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


@dataclass(frozen=True)
class Blob:
    content: bytes
    lfs: bool

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def oid(self) -> str:
        """What preupload reports and the client compares: sha256 for LFS files, the git oid otherwise."""
        return self.sha256 if self.lfs else git_oid(self.content)

    def entry(self, path: str) -> dict:
        entry = {"type": "file", "path": path, "size": len(self.content), "oid": git_oid(self.content)}
        if self.lfs:
            entry["lfs"] = {"oid": self.sha256, "size": len(self.content), "pointerSize": 134}
        return entry


@dataclass
class Commit:
    oid: str
    message: str
    files: dict[str, Blob]


@dataclass
class Repo:
    repo_id: str
    private: bool
    branches: dict[str, str] = field(default_factory=dict)
    commits: dict[str, Commit] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)  # commit oids, oldest first

    def commit(self, branch: str, message: str, files: dict[str, Blob]) -> Commit:
        oid = hashlib.sha1(f"{self.repo_id}:{len(self.history)}:{time.time_ns()}".encode()).hexdigest()
        self.commits[oid] = Commit(oid, message, files)
        self.branches[branch] = oid
        self.history.append(oid)
        return self.commits[oid]

    def at(self, revision: str) -> Commit | None:
        oid = self.branches.get(revision, revision)
        return self.commits.get(oid)


class HubError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass
class Failure:
    """Answer the next `times` requests matching `route` with `status`; `applied`: do the work first, as when a
    server succeeds but the response is lost."""
    route: str
    status: int
    times: int = 1
    applied: bool = False


class FakeHub:
    def __init__(self, token: str):
        self.token = token
        self.repos: dict[str, Repo] = {}
        self.lfs: dict[str, bytes] = {}
        self.failures: list[Failure] = []
        self.requests: list[str] = []  # "METHOD route" for every request, to see what the client called
        self.committed: list[list[str]] = []  # per commit, the paths it added or replaced
        self.deny_writes = False  # answer writes with a 403 that quotes the caller's credentials
        self.lock = threading.Lock()
        self.url = ""

    # --- storage, for tests -------------------------------------------------------------------------------

    def files(self, repo_id: str, revision: str = "main") -> dict[str, bytes]:
        commit = self.repos[repo_id].at(revision)
        return {path: blob.content for path, blob in commit.files.items()}

    def materialise(self, repo_id: str, folder: Path, revision: str = "main") -> Path:
        """Write the repo as it is at `revision` into a folder, as a clone would."""
        for path, content in self.files(repo_id, revision).items():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_bytes(content)
        return folder

    def fail(self, route: str, status: int, times: int = 1, applied: bool = False) -> None:
        self.failures.append(Failure(route, status, times, applied))

    # --- endpoints ----------------------------------------------------------------------------------------

    def authorised(self, headers) -> bool:
        return headers.get("Authorization") == f"Bearer {self.token}"

    def check_write(self, headers) -> None:
        if self.deny_writes:
            raise HubError(403, f"Forbidden: credentials {headers.get('Authorization')!r} cannot write here")
        if not self.authorised(headers):
            raise HubError(401, "Invalid username or password.")

    def repo(self, repo_id: str, headers, revision: str | None = None) -> Repo:
        repo = self.repos.get(repo_id)
        if repo is None or (repo.private and not self.authorised(headers)):
            raise HubError(404, "Repository not found")
        if revision is not None and repo.at(revision) is None:
            raise HubError(404, f"Invalid rev id: {revision}")
        return repo

    def create_repo(self, body: dict, headers) -> dict:
        self.check_write(headers)
        repo_id = f"{body['organization']}/{body['name']}" if body.get("organization") else body["name"]
        url = f"{self.url}/datasets/{repo_id}"
        if repo_id in self.repos:
            raise HubError(409, json.dumps({"error": "You already created this dataset repo", "url": url}))
        private = body.get("visibility") == "private" or bool(body.get("private"))
        self.repos[repo_id] = repo = Repo(repo_id, private)
        repo.commit("main", "initial commit", {".gitattributes": Blob(b"*.parquet filter=lfs diff=lfs\n", False)})
        return {"url": url, "name": repo_id}

    def create_branch(self, repo_id: str, branch: str, headers) -> dict:
        self.check_write(headers)
        repo = self.repo(repo_id, headers)
        if branch in repo.branches:
            raise HubError(409, "Reference already exists")
        repo.branches[branch] = repo.branches["main"]
        return {}

    def validate_yaml(self, body: dict) -> dict:
        problems = card_problems(body["content"])
        if problems:
            raise HubError(400, json.dumps({"errors": [{"message": p} for p in problems]}))
        return {"errors": [], "warnings": []}

    def preupload(self, repo_id: str, revision: str, body: dict, headers) -> dict:
        self.check_write(headers)
        commit = self.repo(repo_id, headers, revision).at(revision)
        files = []
        for f in body["files"]:
            existing = commit.files.get(f["path"])
            files.append({"path": f["path"], "uploadMode": "lfs" if self.is_lfs(f["path"], f["size"]) else "regular",
                          "shouldIgnore": False, "oid": existing.oid if existing else None})
        return {"files": files, "commitOid": commit.oid}

    @staticmethod
    def is_lfs(path: str, size: int) -> bool:
        return path.endswith(LFS_SUFFIXES) or size > 10_000_000

    def lfs_batch(self, repo_id: str, body: dict, headers) -> dict:
        self.check_write(headers)
        self.repo(repo_id, headers)
        objects = []
        for obj in body["objects"]:
            entry = {"oid": obj["oid"], "size": obj["size"], "authenticated": True}
            if obj["oid"] not in self.lfs:
                entry["actions"] = {"upload": {"href": f"{self.url}/lfs-upload/{obj['oid']}"},
                                    "verify": {"href": f"{self.url}/lfs-verify"}}
            objects.append(entry)
        return {"transfer": "basic", "objects": objects}

    def lfs_upload(self, oid: str, content: bytes) -> dict:
        if hashlib.sha256(content).hexdigest() != oid:
            raise HubError(400, "uploaded content does not match its sha256")
        self.lfs[oid] = content
        return {}

    def lfs_verify(self, body: dict) -> dict:
        if body["oid"] not in self.lfs or len(self.lfs[body["oid"]]) != body["size"]:
            raise HubError(404, "object not uploaded")
        return {}

    def commit(self, repo_id: str, revision: str, lines: list[dict], headers) -> dict:
        self.check_write(headers)
        repo = self.repo(repo_id, headers, revision)
        if revision not in repo.branches:
            raise HubError(400, f"cannot commit to {revision}: not a branch")
        files = dict(repo.at(revision).files)
        message = ""
        self.committed.append([line["value"]["path"] for line in lines if line["key"] in ("file", "lfsFile")])
        for line in lines:
            key, value = line["key"], line["value"]
            if key == "header":
                message = value["summary"]
            elif key == "file":
                files[value["path"]] = Blob(base64.b64decode(value["content"]), False)
            elif key == "lfsFile":
                if value["oid"] not in self.lfs:
                    raise HubError(422, f"LFS object {value['oid']} of {value['path']} was never uploaded")
                files[value["path"]] = Blob(self.lfs[value["oid"]], True)
            elif key == "deletedFile":
                if files.pop(value["path"], None) is None:
                    raise HubError(404, f"A file with this name doesn't exist: {value['path']}")
            elif key == "deletedFolder":
                prefix = value["path"].rstrip("/") + "/"
                files = {p: b for p, b in files.items() if not p.startswith(prefix)}
        commit = repo.commit(revision, message, files)
        return {"commitUrl": f"{self.url}/datasets/{repo_id}/commit/{commit.oid}", "commitOid": commit.oid,
                "success": True, "pullRequestUrl": None}

    def info(self, repo_id: str, revision: str, headers) -> dict:
        repo = self.repo(repo_id, headers, revision)
        commit = repo.at(revision)
        readme = commit.files.get("README.md")
        card = yaml.safe_load(readme.content.decode().split("---\n")[1]) if readme else None
        return {"_id": repo_id, "id": repo_id, "author": repo_id.split("/")[0], "sha": commit.oid,
                "private": repo.private, "gated": False, "disabled": False, "downloads": 0, "likes": 0,
                "tags": [], "cardData": card, "lastModified": "2024-01-01T00:00:00.000Z",
                "createdAt": "2024-01-01T00:00:00.000Z", "siblings": [{"rfilename": p} for p in sorted(commit.files)]}

    @staticmethod
    def entries(commit: Commit, prefix: str, recursive: bool) -> list[dict]:
        """Tree entries under `prefix`: files, and the folders on the way (all levels when recursive)."""
        base = prefix.strip("/") + "/" if prefix.strip("/") else ""
        out: dict[str, dict] = {}
        for path, blob in sorted(commit.files.items()):
            if not path.startswith(base):
                continue
            parts = path[len(base):].split("/")
            for depth in range(1, len(parts)):
                folder = base + "/".join(parts[:depth])
                out.setdefault(folder, {"type": "directory", "path": folder,
                                        "oid": hashlib.sha1(folder.encode()).hexdigest()})
                if not recursive:
                    break
            if recursive or len(parts) == 1:
                out[path] = blob.entry(path)
        return list(out.values())

    def tree(self, repo_id: str, revision: str, path: str, query: dict, headers) -> list[dict]:
        commit = self.repo(repo_id, headers, revision).at(revision)
        if path.strip("/") and not any(p.startswith(path.strip("/") + "/") for p in commit.files):
            raise HubError(404, f"Entry not found: {path}")
        return self.entries(commit, path, query.get("recursive", ["false"])[0].lower() in ("1", "true"))

    def paths_info(self, repo_id: str, revision: str, paths: list[str], headers) -> list[dict]:
        commit = self.repo(repo_id, headers, revision).at(revision)
        found = []
        for path in paths:
            path = path.strip("/")
            if path in commit.files:
                found.append(commit.files[path].entry(path))
            elif any(p.startswith(path + "/") for p in commit.files):
                found.append({"type": "directory", "path": path, "oid": hashlib.sha1(path.encode()).hexdigest()})
        return found

    def resolve(self, repo_id: str, revision: str, path: str, headers) -> tuple[Blob, str]:
        commit = self.repo(repo_id, headers, revision).at(revision)
        blob = commit.files.get(path)
        if blob is None:
            raise HubError(404, f"Entry not found: {path}")
        return blob, commit.oid


REPO = r"(?P<repo>[^/]+/[^/]+?)"
REV = r"(?P<rev>[^/]+)"
ROUTES = [  # (method, name, pattern on the unquoted path)
    ("POST", "create", r"/api/repos/create"),
    ("POST", "validate", r"/api/validate-yaml"),
    ("POST", "preupload", rf"/api/datasets/{REPO}/preupload/{REV}"),
    ("POST", "commit", rf"/api/datasets/{REPO}/commit/{REV}"),
    ("POST", "branch", rf"/api/datasets/{REPO}/branch/(?P<branch>.+)"),
    ("POST", "paths_info", rf"/api/datasets/{REPO}/paths-info/{REV}"),
    ("POST", "lfs_batch", rf"/datasets/{REPO}\.git/info/lfs/objects/batch"),
    ("PUT", "lfs_upload", r"/lfs-upload/(?P<oid>[0-9a-f]{64})"),
    ("POST", "lfs_verify", r"/lfs-verify"),
    ("GET", "tree", rf"/api/datasets/{REPO}/tree/{REV}(?P<path>/.*)?"),
    ("GET", "info", rf"/api/datasets/{REPO}(?:/revision/{REV})?"),
    ("GET", "resolve", rf"/datasets/{REPO}/resolve/{REV}/(?P<path>.+)"),
    ("HEAD", "resolve", rf"/datasets/{REPO}/resolve/{REV}/(?P<path>.+)"),
]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hub: FakeHub

    def log_message(self, *args) -> None:  # quiet: the test output is the client's
        pass

    def body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while (size := int(self.rfile.readline().strip(), 16)) > 0:
                data += self.rfile.read(size)
                self.rfile.readline()
            self.rfile.readline()
            return data
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def reply(self, status: int, payload: bytes, content_type: str = "application/json", extra=None) -> None:
        self.send_response(status)
        headers = {"Content-Type": content_type, "Content-Length": str(len(payload)), **(extra or {})}
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def route(self) -> tuple[str, dict] | None:
        path = unquote(urlsplit(self.path).path)
        for method, name, pattern in ROUTES:
            if method == self.command and (m := re.fullmatch(pattern, path)):
                return name, {k: v for k, v in m.groupdict().items() if v is not None}
        return None

    def handle_any(self) -> None:
        raw = self.body()
        found = self.route()
        self.hub.requests.append(f"{self.command} {found[0] if found else self.path}")
        if found is None:
            self.reply(404, json.dumps({"error": f"fake hub: no route for {self.command} {self.path}"}).encode())
            return
        name, args = found
        failure = next((f for f in self.hub.failures if f.route == name and f.times > 0), None)
        try:
            if failure and not failure.applied:
                failure.times -= 1
                raise HubError(failure.status, "injected failure")
            with self.hub.lock:
                result = self.dispatch(name, args, raw)
            if failure:
                failure.times -= 1
                raise HubError(failure.status, "injected failure after the work was done")
        except HubError as err:
            message = str(err)
            payload = message if message.startswith("{") else json.dumps({"error": message})
            self.reply(err.status, payload.encode(), extra={"X-Error-Message": json.loads(payload).get("error", "")})
            return
        if name == "resolve":
            self.send_blob(*result)
        else:
            self.reply(200, json.dumps(result).encode())

    def dispatch(self, name: str, a: dict, raw: bytes):
        hub, h = self.hub, self.headers
        query = parse_qs(urlsplit(self.path).query)
        if name == "create":
            return hub.create_repo(json.loads(raw), h)
        if name == "validate":
            return hub.validate_yaml(json.loads(raw))
        if name == "preupload":
            return hub.preupload(a["repo"], a["rev"], json.loads(raw), h)
        if name == "commit":
            return hub.commit(a["repo"], a["rev"], [json.loads(line) for line in raw.splitlines() if line.strip()], h)
        if name == "branch":
            return hub.create_branch(a["repo"], a["branch"], h)
        if name == "paths_info":
            form = json.loads(raw) if raw.startswith(b"{") else parse_qs(raw.decode())
            return hub.paths_info(a["repo"], a["rev"], form["paths"], h)
        if name == "lfs_batch":
            return hub.lfs_batch(a["repo"], json.loads(raw), h)
        if name == "lfs_upload":
            return hub.lfs_upload(a["oid"], raw)
        if name == "lfs_verify":
            return hub.lfs_verify(json.loads(raw))
        if name == "tree":
            return hub.tree(a["repo"], a["rev"], a.get("path", ""), query, h)
        if name == "info":
            return hub.info(a["repo"], a.get("rev", "main"), h)
        return hub.resolve(a["repo"], a["rev"], a["path"], h)

    def send_blob(self, blob: Blob, commit: str) -> None:
        """File bytes, with the headers `hf_hub_download` reads and HTTP ranges, as HfFileSystem reads them."""
        content, status = blob.content, 200
        headers = {"ETag": f'"{git_oid(blob.content)}"', "X-Repo-Commit": commit, "Accept-Ranges": "bytes"}
        if blob.lfs:
            headers.update({"X-Linked-Etag": f'"{blob.sha256}"', "X-Linked-Size": str(len(content))})
        if m := re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", "")):
            start = int(m.group(1)) if m.group(1) else max(0, len(content) - int(m.group(2)))
            end = int(m.group(2)) if m.group(1) and m.group(2) else len(content) - 1
            headers["Content-Range"] = f"bytes {start}-{min(end, len(content) - 1)}/{len(content)}"
            content, status = content[start:end + 1], 206
        self.reply(status, content, "application/octet-stream", headers)

    do_GET = do_POST = do_PUT = do_HEAD = handle_any


class HubServer:
    """Serve a FakeHub on 127.0.0.1 (by default on a free port); as a context manager, in a background thread."""

    def __init__(self, token: str, port: int = 0):
        self.hub = FakeHub(token)
        handler = type("BoundHandler", (Handler,), {"hub": self.hub})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.hub.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeHub:
        self.thread.start()
        return self.hub

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def main() -> None:
    """Serve until interrupted, to try `publish-corpus` and `load_dataset` by hand (see the README)."""
    p = argparse.ArgumentParser(description="A local Hub-compatible server (in memory) for trying publish-corpus.")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--token", default="local-token")
    args = p.parse_args()
    server = HubServer(args.token, args.port)
    print(f"export HF_ENDPOINT={server.hub.url} HF_HUB_DISABLE_XET=1 HF_TOKEN={args.token}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.httpd.serve_forever()


if __name__ == "__main__":
    main()
