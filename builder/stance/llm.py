"""Stance from a large language model behind any OpenAI-compatible endpoint (vLLM, llama.cpp server, TGI, hosted).

The model reads the guidelines and the target (`conf/data/stance_llm_prompt.yaml`) and answers one JSON object,
a label and a quoted evidence span. A model can invent a quote or pick one from a person the article quotes, so
the span is checked: it must occur verbatim (up to spacing) in the headline or text, inside one clause in the
outlet's own voice (`SpeechSplitter`); otherwise the label is none, with the reason. Answers are cached on disk
by text, prompt and model (a rerun asks nothing), requests run a few at a time (`ahead`), failures are retried
with backoff, and a budget caps requests and tokens. What it cost is counted under `llm:` in the label stage's
notes (stats.json) and summed in the card.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from builder.errors import BuildError
from builder.lists import read_yaml
from builder.schema import STANCE_LABELS
from builder.stance.base import Stance
from builder.stance.speech import SpeechSplitter
from builder.stance.targets import Target

if TYPE_CHECKING:
    from builder.config import LLMStanceConfig
    from builder.stats import StageStats

COST = "llm:"  # the prefix of the counts in the label stage's notes
RETRIED_STATUS = {408, 409, 425, 429}  # and every 5xx: the server may answer next time
FATAL_STATUS = {401, 403, 404}  # a wrong key, model or URL: every request would fail the same way
_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$")
_QUOTES = "\"'«»“”„`"

# why an answer's side did not stand (the model answered; every other reason means it did not: budget, a failure)
NO_EVIDENCE, INVENTED, QUOTED, ACROSS = ("no_evidence", "evidence_not_in_text", "evidence_in_quoted_speech",
                                       "evidence_across_clauses")
NOT_STANDING = (NO_EVIDENCE, INVENTED, QUOTED, ACROSS)

Call = tuple[str, Target, str | None]  # the arguments of one `label` call: text, target, title


class Answer(NamedTuple):
    """The labeler's verdict: `reason` says why a label is none when the model's answer did not stand."""

    label: str
    evidence: str | None = None
    reason: str | None = None


class Failure(Exception):
    """A request that got no answer; `retry`: another attempt may get one (a 5xx, a timeout, a malformed answer)."""

    def __init__(self, reason: str, retry: bool = True):
        super().__init__(reason)
        self.reason, self.retry = reason, retry


def digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def spaced(text: str) -> str:
    """Text with every run of whitespace one space: a model copies words, not line breaks."""
    return " ".join(text.split())


class AnswerCache:
    """One JSON file per answer under `folder`, written atomically, so worker processes share it safely."""

    def __init__(self, folder: str | None):
        self.folder = Path(folder) if folder else None

    def path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        if self.folder is None:
            return None
        try:
            return json.loads(self.path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):  # absent, or a file another process left half-written before a crash
            return None

    def put(self, key: str, value: dict[str, Any]) -> None:
        if self.folder is None:
            return
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)


class LLMStance:
    """Labels through a chat-completions endpoint; `answer` gives the label with its reason, `label` the Stance."""

    name = "llm"
    targets = None

    def __init__(self, config: LLMStanceConfig):
        c = self.config = config
        self.url = c.base_url.rstrip("/") + "/chat/completions"
        self.key = None
        if c.api_key_env:
            self.key = os.environ.get(c.api_key_env)
            if not self.key:
                raise BuildError(f"label.stance.api_key_env names {c.api_key_env}, which is not set in the environment")
        prompt = read_yaml(c.prompt_file)
        self.system, self.user = str(prompt["system"]), str(prompt["user"])
        self.splitter = SpeechSplitter(c.speech_file)
        self.cache = AnswerCache(c.cache_dir)
        self.cost: Counter = Counter()
        self.lock = threading.Lock()
        self.prefetched: dict[str, Answer] = {}

    # --- the prompt and its cache key

    def describe(self, target: Target) -> str:
        if name := self.config.describe.get(target.id):
            return name
        return f"{target.id} (named in the text as: {', '.join(' '.join(a) for a in target.aliases[:12])})"

    def messages(self, text: str, target: Target, title: str | None) -> list[dict[str, str]]:
        fill = {"{target}": self.describe(target), "{title}": title or "", "{text}": text[: self.config.max_chars]}
        user = self.user
        for slot, value in fill.items():
            user = user.replace(slot, value)
        return [{"role": "system", "content": self.system}, {"role": "user", "content": user}]

    def cache_key(self, text: str, target: Target, title: str | None) -> str:
        """By document (headline and text), prompt (guidelines, templates, target, settings that shape the answer)
        and model."""
        c = self.config
        prompt = digest(self.system, self.user, self.describe(target), str(c.max_chars), str(c.temperature),
                        str(c.max_answer_tokens), str(c.json_mode))
        return digest(c.model, prompt, digest(title or "", text))

    # --- the labeler protocol

    def label(self, text: str, target: Target, title: str | None = None) -> Stance:
        """The label, its evidence when it stood; evidence found in quoted speech goes to `quoted` (who said what)."""
        a = self.answer(text, target, title)
        quoted = a.reason == QUOTED
        return Stance(a.label, None, (a.evidence,) if a.evidence and not a.reason else (),
                      (a.evidence,) if quoted and a.evidence else ())

    def answer(self, text: str, target: Target, title: str | None = None) -> Answer:
        key = self.cache_key(text, target, title)
        found = self.prefetched.pop(key, None)
        return found if found is not None else self.ask(key, text, target, title)

    def ahead(self, docs: Iterable[Any], calls: Callable[[Any], list[Call]], stats: StageStats) -> Iterator[Any]:
        """The documents, unchanged, after the requests of the next `read_ahead` of them were answered by
        `concurrency` threads: `label` then finds their answers. `calls(doc)` are the label calls the stage will
        make for a document; the time goes to the stage's seconds, the costs to its notes."""
        self.cost = stats.notes
        docs = iter(docs)
        with ThreadPoolExecutor(max(1, self.config.concurrency), thread_name_prefix="llm") as pool:
            while batch := list(islice(docs, max(1, self.config.read_ahead))):
                start = time.perf_counter()
                todo = {self.cache_key(*call): call for doc in batch for call in calls(doc)}
                self.prefetched = dict(zip(todo, pool.map(lambda item: self.ask(item[0], *item[1]), todo.items()),
                                           strict=True))
                stats.seconds += time.perf_counter() - start
                yield from batch
        self.prefetched = {}

    # --- asking, and checking the answer

    def count(self, what: str, n: int = 1) -> None:
        with self.lock:
            self.cost[COST + what] += n

    def ask(self, key: str, text: str, target: Target, title: str | None) -> Answer:
        raw = self.cache.get(key)
        if raw is not None:
            self.count("cache_hits")
        else:
            try:
                raw = self.request(self.messages(text, target, title))
            except Failure as failure:  # no answer: over budget, or failed after the retries
                self.count("budget" if failure.reason == "budget" else "failed")
                self.count(f"none:{failure.reason}")
                return Answer("none", None, failure.reason)
            self.cache.put(key, raw)
        answer = self.check(raw, text, title)
        self.count(f"{answer.label}" if answer.reason is None else f"none:{answer.reason}")
        return answer

    def check(self, raw: dict[str, Any], text: str, title: str | None) -> Answer:
        """The model's label, if its evidence occurs verbatim inside one clause in the outlet's own voice."""
        label = raw["label"]
        if label == "none":
            return Answer("none")
        evidence = spaced(str(raw.get("evidence") or "")).strip(_QUOTES + " ")
        if not evidence:
            return Answer("none", None, NO_EVIDENCE)
        if evidence not in spaced(f"{title or ''}\n{text}"):
            return Answer("none", evidence, INVENTED)
        where = [c.voice for c in self.splitter.clauses(title, text) if evidence in spaced(c.text)]
        if any(where):
            return Answer(label, evidence)
        return Answer("none", evidence, QUOTED if where else ACROSS)

    def spend(self) -> None:
        """Take one request from the budget, or fail with `budget` when it is spent."""
        c = self.config
        with self.lock:
            if (c.max_requests is not None and self.cost[COST + "requests"] >= c.max_requests) or \
                    (c.max_tokens is not None and self.cost[COST + "tokens"] >= c.max_tokens):
                raise Failure("budget", retry=False)
            self.cost[COST + "requests"] += 1

    def request(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        """The parsed answer ({label, evidence}), retried with backoff; a Failure when the retries run out."""
        c = self.config
        body: dict[str, Any] = {"model": c.model, "messages": messages, "temperature": c.temperature,
                                "max_tokens": c.max_answer_tokens}
        if c.json_mode:
            body["response_format"] = {"type": "json_object"}
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {self.key}"} if self.key else {})}
        for attempt in range(c.retries + 1):
            if attempt:
                self.count("retries")
                time.sleep(c.backoff * 2 ** (attempt - 1))
            self.spend()
            try:
                return self.post(data, headers)
            except Failure as failure:
                if not failure.retry or attempt == c.retries:
                    raise
        raise AssertionError("unreachable: the last attempt returns or raises")

    def post(self, data: bytes, headers: dict[str, str]) -> dict[str, Any]:
        req = urllib.request.Request(self.url, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.config.timeout) as response:
                reply = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as err:
            if err.code in FATAL_STATUS:
                raise BuildError(f"the stance LLM endpoint {self.url} answered {err.code} ({err.reason}): check "
                                 "label.stance.base_url, model and api_key_env") from None
            raise Failure(f"http_{err.code}", retry=err.code >= 500 or err.code in RETRIED_STATUS) from None
        except (TimeoutError, urllib.error.URLError, ConnectionError) as err:
            raise Failure("timeout" if "timed out" in str(err) else "unreachable") from None
        except ValueError:
            raise Failure("malformed") from None
        usage = (reply.get("usage") or {}) if isinstance(reply, dict) else {}
        tokens = usage.get("total_tokens") or (usage.get("prompt_tokens") or 0) + (usage.get("completion_tokens") or 0)
        self.count("tokens", int(tokens))
        return parse(reply)


def parse(reply: Any) -> dict[str, Any]:
    """{label, evidence} from a chat-completions reply; a `malformed` Failure when it holds no such object."""
    try:
        content = reply["choices"][0]["message"]["content"]
        answer = json.loads(_FENCE.sub("", content))
        label = str(answer["label"]).strip().lower().replace("favour", "favor")
    except (KeyError, IndexError, TypeError, ValueError):
        raise Failure("malformed") from None
    if label not in STANCE_LABELS or not isinstance(answer.get("evidence") or "", str):
        raise Failure("malformed")
    return {"label": label, "evidence": answer.get("evidence") or ""}
