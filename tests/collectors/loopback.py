"""A real HTTP server on 127.0.0.1 that answers like a service would, for end-to-end collector tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Answer:
    """What the server sends back for one request."""

    body: bytes | str = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    chunked: bool = False


@dataclass
class Seen:
    """One request the server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


Route = Callable[[Seen], Answer]


class Loopback:
    """Routes by path (the query is passed to the handler); unknown paths answer 404; robots.txt is 404 unless routed."""

    def __init__(self, host: str = "127.0.0.1", delay: float = 0.0) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self.delay = delay
        loopback = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _answer(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("content-length") or 0)
                seen = Seen(self.command, parts.path, parse_qs(parts.query), dict(self.headers.items()),
                            self.rfile.read(length) if length else b"")
                loopback.requests.append(seen)
                if loopback.delay:
                    time.sleep(loopback.delay)
                route = loopback.routes.get(parts.path)
                answer = route(seen) if route else Answer(b"not found", 404, content_type="text/plain")
                body = answer.body.encode() if isinstance(answer.body, str) else answer.body
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                headers = {k.lower(): v for k, v in answer.headers.items()}
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if answer.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                elif "content-length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not answer.chunked:
                    self.wfile.write(body)
                    return
                for start in range(0, len(body), 4096):
                    piece = body[start:start + 4096]
                    self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")

            do_GET = do_POST = _answer

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda _request, _address: None  # clients hanging up early is expected
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, path: str, answer: Answer | Route) -> None:
        self.routes[path] = answer if callable(answer) else (lambda _seen, a=answer: a)

    def paths(self) -> list[str]:
        return [seen.path for seen in self.requests if seen.path != "/robots.txt"]

    def __enter__(self) -> Loopback:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()
