"""Twilio's Messages API and Meta's Graph API, as far as Aisha uses them, on 127.0.0.1.

The real twilio SDK and the real httpx client talk to it; tests read what it received and
tell it to fail the next calls (an HTTP error, a provider error code, or a slow answer).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode())


@dataclass
class Failure:
    status: int
    body: dict[str, Any]
    delay: float = 0.0


@dataclass
class ProviderStub:
    requests: list[Received] = field(default_factory=list)
    failures: deque[Failure] = field(default_factory=deque)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    # The download URL the Graph API gives for a media id, where it is not the stub's own.
    media_urls: dict[str, str] = field(default_factory=dict)
    # generateContent answers, in order (Gemini); when empty, a plain text answer.
    gemini: deque[dict[str, Any]] = field(default_factory=deque)
    # The business's own endpoints (assistant actions) under /actions/<name>: (status, body, delay).
    actions: dict[str, tuple[int, Any, float]] = field(default_factory=dict)
    # Seconds to wait before giving the next POSTs their ordinary answer: a provider that accepts
    # the send but answers after the client has given up.
    late: deque[float] = field(default_factory=deque)
    # Templates: what Meta lists for the account, what Twilio lists, and Twilio's verdicts by sid.
    meta_templates: list[dict[str, Any]] = field(default_factory=list)
    twilio_contents: list[dict[str, Any]] = field(default_factory=list)
    approvals: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    base_url: str = ""

    def start(self) -> str:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, payload: Any, content_type: str = "application/json") -> None:
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = urlsplit(self.path).path
                with stub.lock:
                    stub.requests.append(Received(self.command, path, dict(self.headers), body))
                    failure = stub.failures.popleft() if stub.failures and self.command == "POST" else None
                    late = stub.late.popleft() if stub.late and not failure and self.command == "POST" else 0
                if late:
                    time.sleep(late)
                    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                        self._route(path)  # nobody is listening any more; the send happened
                    return
                if failure:
                    time.sleep(failure.delay)
                    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                        self._answer(failure.status, failure.body)  # the client may have given up
                    return
                self._route(path)

            def _route(self, path: str) -> None:
                if path.startswith("/actions/"):
                    status, body, delay = stub.actions.get(path[9:], (200, {"ok": True}, 0.0))
                    time.sleep(delay)
                    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                        self._answer(status, body)
                elif self.command == "POST" and path.endswith(":generateContent"):
                    with stub.lock:
                        answer = stub.gemini.popleft() if stub.gemini else gemini_text("stub answer")
                    self._answer(answer.pop("_status", 200), answer)
                elif path.endswith("/message_templates"):  # Meta's templates of the account
                    if self.command == "POST":
                        self._answer(200, {"id": str(uuid.uuid4().int)[:15], "status": "PENDING"})
                    else:
                        with stub.lock:
                            listed = list(stub.meta_templates)
                        self._answer(200, {"data": listed, "paging": {}})
                elif path.startswith("/v1/Content") or path.startswith("/v1/ContentAndApprovals"):
                    self._twilio_content(path)
                elif self.command == "POST" and path.endswith("/Messages.json"):
                    self._answer(201, {"sid": "SM" + uuid.uuid4().hex, "status": "queued"})
                elif self.command == "POST" and path.endswith("/me/messages"):
                    self._answer(200, {"recipient_id": "psid", "message_id": "m_" + uuid.uuid4().hex})
                elif self.command == "POST" and path.endswith("/messages"):
                    self._answer(
                        200,
                        {"messaging_product": "whatsapp", "messages": [{"id": "wamid." + uuid.uuid4().hex}]},
                    )
                elif self.command == "GET" and ("/Media/" in path or path.startswith("/cdn/")):
                    # Twilio media (needs the account's credentials) and Messenger's CDN files.
                    if "/Media/" in path and not self.headers.get("Authorization", "").startswith("Basic "):
                        self._answer(401, {"code": 20003, "message": "Authenticate"})
                        return
                    content, mime = stub.media.get(path.rsplit("/", 1)[1], (b"", "application/octet-stream"))
                    self._answer(200 if content else 404, content or {"error": "no such media"}, mime)
                elif self.command == "GET" and path.startswith("/media-bytes/"):
                    content, mime = stub.media.get(path.rsplit("/", 1)[1], (b"", "application/octet-stream"))
                    self._answer(200, content, mime)
                elif self.command == "GET" and path.rsplit("/", 1)[1] in stub.media:
                    media_id = path.rsplit("/", 1)[1]
                    self._answer(
                        200,
                        {
                            "url": stub.media_urls.get(media_id, f"{stub.base_url}/media-bytes/{media_id}"),
                            "mime_type": stub.media[media_id][1],
                            "id": media_id,
                        },
                    )
                else:
                    self._answer(
                        404, {"error": {"message": f"no stub for {self.command} {path}", "code": 100}}
                    )

            def _twilio_content(self, path: str) -> None:
                parts = path.strip("/").split("/")  # v1, Content, HX..., ApprovalRequests, whatsapp
                if path == "/v1/ContentAndApprovals":
                    with stub.lock:
                        listed = list(stub.twilio_contents)
                    self._answer(200, {"contents": listed, "meta": {"next_page_url": None}})
                elif self.command == "POST" and path == "/v1/Content":
                    self._answer(201, {"sid": "HX" + uuid.uuid4().hex, "friendly_name": "stub"})
                elif len(parts) == 5 and self.command == "POST":
                    self._answer(201, {"name": parts[2], "category": "UTILITY", "status": "received"})
                elif len(parts) == 4 and self.command == "GET":
                    with stub.lock:
                        verdict = stub.approvals.get(parts[2], {"status": "pending"})
                    self._answer(200, {"sid": parts[2], "whatsapp": verdict})
                else:
                    self._answer(404, {"code": 20404, "message": f"no stub for {self.command} {path}"})

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{server.server_address[1]}"
        return self.base_url

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.failures.clear()
            self.media.clear()
            self.media_urls.clear()
            self.gemini.clear()
            self.actions.clear()
            self.late.clear()
            self.meta_templates.clear()
            self.twilio_contents.clear()
            self.approvals.clear()

    def fail_next(
        self, status: int = 500, body: dict[str, Any] | None = None, *, times: int = 1, delay: float = 0.0
    ) -> None:
        with self.lock:
            for _ in range(times):
                self.failures.append(
                    Failure(status, body or {"error": {"message": "stub failure", "code": 1}}, delay)
                )

    def answer_late(self, delay: float, *, times: int = 1) -> None:
        """Accept the next sends as usual, but answer each only after ``delay`` seconds."""
        with self.lock:
            self.late.extend([delay] * times)

    def sends(self) -> list[Received]:
        """The message sends it received (not media look-ups, not template submissions)."""
        with self.lock:
            return [
                r
                for r in self.requests
                if r.method == "POST"
                and not r.path.endswith("/message_templates")
                and "/v1/Content" not in r.path
            ]


def gemini_text(text: str, tokens: int = 42) -> dict[str, Any]:
    """A generateContent answer with text."""
    return {
        "candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP"}],
        "usageMetadata": {
            "promptTokenCount": tokens - 10,
            "candidatesTokenCount": 10,
            "totalTokenCount": tokens,
        },
    }


def gemini_call(name: str, args: dict[str, Any], tokens: int = 30) -> dict[str, Any]:
    """A generateContent answer that calls a function."""
    return {
        "candidates": [
            {
                "content": {"role": "model", "parts": [{"functionCall": {"name": name, "args": args}}]},
                "finishReason": "STOP",
            }
        ],
        "usageMetadata": {
            "promptTokenCount": tokens - 5,
            "candidatesTokenCount": 5,
            "totalTokenCount": tokens,
        },
    }


def gemini_error(status: int = 500) -> dict[str, Any]:
    """A generateContent answer that fails (queued among the others, in order)."""
    return {"_status": status, "error": {"code": status, "message": "stub failure", "status": "INTERNAL"}}
