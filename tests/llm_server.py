"""A local stand-in for an OpenAI-compatible chat endpoint (vLLM, llama.cpp server, TGI): `/v1/chat/completions`.

Each test routes a marker (a word of the document it sends) to the replies the server gives, in order, the last
one repeated: a good answer, malformed JSON, an invented quote, a quote from someone the article quotes, a 500.
Every request is recorded (its body and Authorization header) so a test can count what the labeler sent.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    status: int = 200
    content: str | None = None  # the message content (the model's answer); None with a status other than 200
    tokens: int = 100  # usage.total_tokens
    body: bytes | None = None  # a raw body instead of a chat-completions reply


def answer(label: str, evidence: str = "", tokens: int = 100) -> Reply:
    return Reply(content=json.dumps({"label": label, "evidence": evidence}, ensure_ascii=False), tokens=tokens)


@dataclass
class FakeLLM:
    routes: dict[str, list[Reply]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""
    delay: float = 0.0  # seconds each answer takes, so that concurrent requests overlap
    in_flight: int = 0
    most_in_flight: int = 0  # the most requests the server held at once

    def route(self, marker: str, *replies: Reply) -> None:
        self.routes[marker] = list(replies)

    def reply(self, body: dict[str, Any]) -> Reply:
        user = body["messages"][-1]["content"]
        for marker, replies in self.routes.items():
            if marker in user:
                with self.lock:
                    return replies.pop(0) if len(replies) > 1 else replies[0]
        return answer("none")

    def sent(self, marker: str) -> int:
        """Requests whose document holds the marker."""
        return sum(marker in r["body"]["messages"][-1]["content"] for r in self.requests)


def handler(fake: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with fake.lock:
                fake.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
                fake.in_flight += 1
                fake.most_in_flight = max(fake.most_in_flight, fake.in_flight)
            time.sleep(fake.delay)
            with fake.lock:
                fake.in_flight -= 1
            if self.path != "/v1/chat/completions":
                return self.send(404, b'{"error": "not found"}')
            r = fake.reply(body)
            if r.body is not None or r.status != 200:
                return self.send(r.status, r.body if r.body is not None else b'{"error": "server error"}')
            out = {"id": "cmpl-1", "object": "chat.completion", "model": body["model"],
                   "choices": [{"index": 0, "message": {"role": "assistant", "content": r.content},
                                "finish_reason": "stop"}],
                   "usage": {"prompt_tokens": r.tokens - 10, "completion_tokens": 10, "total_tokens": r.tokens}}
            self.send(200, json.dumps(out, ensure_ascii=False).encode("utf-8"))

        def send(self, status: int, payload: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client timed out and left
                self.wfile.write(payload)

    return Handler


@contextlib.contextmanager
def serve() -> Iterator[FakeLLM]:
    """The fake endpoint on a free local port, in a thread, for the `with` block; `fake.url` ends in /v1."""
    fake = FakeLLM()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
