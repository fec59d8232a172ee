"""A stand-in AI provider on 127.0.0.1 for tests, demos and the benchmark.

It answers the OpenAI (Responses and Chat Completions), Anthropic, Gemini and Perplexity (Agent and
Sonar) routes in each provider's shape, choosing among canned answers with a seeded random generator,
so repeated sampling is deterministic. Knobs reproduce what real providers do: answers without a
search, HTTP-200 tool errors, 429/529 with Retry-After, utm parameters, non-ASCII text with Gemini
byte offsets, Anthropic text split across blocks and `pause_turn`, duplicate citations, and a brand
that appears only in a URL.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Company:
    """A company the canned answers talk about."""

    name: str
    domain: str
    praise: str = "is a solid choice for small teams"
    complaint: str = "is expensive and its support is slow"


DEMO_COMPANIES = (
    Company("Acme Analytics", "acme-analytics.example", "makes dashboards easy for café owners and startups"),
    Company("Globex", "globex.example", "is popular with sales-led teams"),
    Company("Initech", "initech.example", "suits enterprises with strict compliance needs"),
    Company("Umbrella Insights", "umbrella.example", "has the best free tier"),
    Company("Hooli Metrics", "hooli.example", "integrates well with spreadsheets"),
)


@dataclass(frozen=True)
class Canned:
    """One canned answer: sentences (the text), which companies it lists in order, which it cites, which it retrieved."""

    sentences: tuple[str, ...]
    listed: tuple[str, ...]
    cited: tuple[tuple[str, str], ...]
    retrieved: tuple[tuple[str, str], ...]


def canned_answers(companies: tuple[Company, ...], count: int, rng: random.Random) -> list[Canned]:
    """`count` different answers: 2-4 companies in a random order, some praised, some criticised."""
    answers = []
    for _ in range(count):
        chosen = rng.sample(companies, rng.randint(2, min(4, len(companies))))
        sentences = ["Here are options people often recommend:"]
        cited: list[tuple[str, str]] = []
        for number, company in enumerate(chosen, 1):
            opinion = company.praise if rng.random() < 0.75 else company.complaint
            url = f"https://www.{company.domain}/pricing?utm_source=openai&ref=ai"
            sentences.append(f"{number}. {company.name} — {opinion}.")
            cited.append((url, company.domain))
            if rng.random() < 0.3:
                cited.append((url, company.domain))  # the same page cited twice
        if rng.random() < 0.3:  # a company only in a URL, never named in the prose
            hidden = rng.choice([c for c in companies if c not in chosen] or list(companies))
            cited.append((f"https://blog.{hidden.domain}/review", hidden.domain))
        retrieved = [*dict.fromkeys(cited), ("https://www.g2.com/categories/analytics", "g2.com")]
        answers.append(Canned(tuple(sentences), tuple(c.name for c in chosen), tuple(cited), tuple(retrieved)))
    return answers


@dataclass
class Knobs:
    """How the stand-in misbehaves; probabilities are drawn from the seeded generator."""

    latency: float = 0.0
    no_search: float = 0.0
    tool_error: float = 0.0
    pause_turn: float = 0.0
    faults: deque[tuple[int, dict[str, str]]] = field(default_factory=deque)
    """Forced answers served first, e.g. (429, {"retry-after": "0"}), (529, {})."""
    api_key: str | None = None


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # the default backlog of 5 drops bursts of connections, stalling clients ~1 s
    daemon_threads = True


class StandIn:
    """The server: `with StandIn() as server: server.url` is the base to configure engines with."""

    def __init__(self, companies: tuple[Company, ...] = DEMO_COMPANIES, *, seed: int = 7, variants: int = 8,
                 knobs: Knobs | None = None, port: int = 0) -> None:
        self.rng = random.Random(seed)
        self.answers = canned_answers(companies, variants, self.rng)
        self.knobs = knobs or Knobs()
        self.requests: list[tuple[str, dict[str, str], Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> StandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _draw(self) -> tuple[Canned, bool, bool, bool, tuple[int, dict[str, str]] | None]:
        with self._lock:
            fault = self.knobs.faults.popleft() if self.knobs.faults else None
            canned = self.rng.choice(self.answers)
            return (canned, self.rng.random() < self.knobs.no_search, self.rng.random() < self.knobs.tool_error,
                    self.rng.random() < self.knobs.pause_turn, fault)

    def answer(self, path: str, headers: dict[str, str], query: dict[str, list[str]],
               body: Any) -> tuple[int, dict[str, str], Any]:
        """(status, headers, JSON body) for one request."""
        self.requests.append((path, headers, body))
        key = (headers.get("x-api-key") or headers.get("x-goog-api-key") or next(iter(query.get("key") or []), None)
               or headers.get("authorization", "").removeprefix("Bearer ") or None)
        if self.knobs.api_key is not None and key != self.knobs.api_key:
            # Echoes the key, as some gateways do, so tests can check that it is redacted.
            return 401, {}, {"error": {"message": f"invalid api key {key}", "type": "authentication_error"}}
        canned, no_search, tool_error, pause, fault = self._draw()
        if fault is not None:
            status, extra = fault
            kind = "overloaded_error" if status == 529 else "rate_limit_error"
            return status, extra, {"type": "error", "error": {"type": kind, "message": "slow down"}}
        if path.endswith("/messages"):
            if "anthropic-version" not in headers:
                return 400, {}, {"type": "error", "error": {"type": "invalid_request_error", "message": "anthropic-version"}}
            continuing = any(m.get("role") == "assistant" for m in body.get("messages", []))
            return 200, {}, anthropic(canned, no_search, tool_error, pause and not continuing)
        if ":generateContent" in path:
            return 200, {}, gemini(canned, no_search)
        if path.endswith("/chat/completions"):
            sonar = not path.startswith("/v1/")
            return 200, {}, chat(canned, no_search, sonar)
        if path.endswith(("/responses", "/agent")):
            if "preset" in body or "/" in str(body.get("model", "")):
                return 200, {}, perplexity_agent(canned, no_search, tool_error)
            return 200, {}, openai_responses(canned, no_search)
        return 404, {}, {"error": {"message": f"no route {path}"}}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                parts = urlsplit(self.path)
                length = int(self.headers.get("content-length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    body = {}
                with server._lock:
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                if server.knobs.latency:
                    time.sleep(server.knobs.latency)
                with server._lock:
                    server.in_flight -= 1
                status, headers, payload = server.answer(parts.path, {k.lower(): v for k, v in self.headers.items()},
                                                          parse_qs(parts.query), body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _markdown(canned: Canned) -> tuple[str, list[tuple[int, int, str, str]]]:
    """The answer as OpenAI writes it, with `([domain](url))` links and their character spans."""
    text, spans = "", []
    cites = iter(canned.cited)
    for sentence in canned.sentences:
        text += sentence
        if re.match(r"\d+\. ", sentence):
            url, domain = next(cites, canned.cited[-1])
            link = f" ([{domain}]({url}))"
            spans.append((len(text) + 1, len(text) + len(link), url, domain))
            text += link
        text += "\n"
    return text.rstrip("\n"), spans


def openai_responses(canned: Canned, no_search: bool) -> dict[str, Any]:
    text, spans = _markdown(canned) if not no_search else ("\n".join(canned.sentences), [])
    output: list[dict[str, Any]] = [{"type": "reasoning", "id": "rs_1", "summary": []}]
    if not no_search:
        output.append({"type": "web_search_call", "id": "ws_1", "status": "completed",
                       "action": {"type": "search", "query": "q",
                                  "sources": [{"type": "url", "url": u} for u, _ in canned.retrieved]}})
    output.append({"type": "message", "id": "msg_1", "role": "assistant", "status": "completed", "content": [
        {"type": "output_text", "text": text, "logprobs": [], "annotations": [
            {"type": "url_citation", "start_index": s, "end_index": e, "url": u, "title": d} for s, e, u, d in spans]}]})
    return {"id": "resp_1", "object": "response", "status": "completed", "model": "gpt-standin", "output": output,
            "usage": {"input_tokens": 900, "output_tokens": 120, "total_tokens": 1020}}


def chat(canned: Canned, no_search: bool, sonar: bool) -> dict[str, Any]:
    if sonar:
        text = " ".join(f"{s}[{i}]" if re.match(r"\d+\. ", s) else s for i, s in enumerate(canned.sentences))
        extra = {} if no_search else {"citations": [u for u, _ in canned.cited],
                                      "search_results": [{"url": u, "title": d} for u, d in canned.retrieved]}
        return {"id": "c1", "model": "sonar", "object": "chat.completion", **extra,
                "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}],
                "usage": {"prompt_tokens": 12, "completion_tokens": 40, "num_search_queries": 0 if no_search else 1,
                          "cost": {"total_cost": 0.0 if no_search else 0.005}}}
    text, spans = _markdown(canned) if not no_search else ("\n".join(canned.sentences), [])
    annotations = [{"type": "url_citation", "url_citation": {"start_index": s, "end_index": e, "url": u, "title": d}}
                   for s, e, u, d in spans]
    return {"id": "c1", "object": "chat.completion", "model": "gpt-standin-search",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": text, "annotations": annotations}}],
            "usage": {"prompt_tokens": 12, "completion_tokens": 60}}


def anthropic(canned: Canned, no_search: bool, tool_error: bool, pause: bool) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if not no_search:
        content.append({"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "q"}})
        result: Any = ({"type": "web_search_tool_result_error", "error_code": "max_uses_exceeded"} if tool_error else
                       [{"type": "web_search_result", "url": u, "title": d, "encrypted_content": "x"}
                        for u, d in canned.retrieved])
        content.append({"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": result})
    if pause:
        return {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-standin", "content": content,
                "stop_reason": "pause_turn", "usage": {"input_tokens": 100, "output_tokens": 5}}
    cites = iter(canned.cited)
    for sentence in canned.sentences:
        numbered = re.match(r"(\d+\. )(.*)", sentence)
        if numbered and not no_search:
            url, domain = next(cites, canned.cited[-1])
            content.append({"type": "text", "text": "\n" + numbered.group(1)})
            content.append({"type": "text", "text": numbered.group(2), "citations": [
                {"type": "web_search_result_location", "url": url, "title": domain, "cited_text": "…", "encrypted_index": "x"}]})
        else:
            content.append({"type": "text", "text": ("\n" if content else "") + sentence})
    return {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-standin", "content": content,
            "stop_reason": "end_turn", "usage": {"input_tokens": 600, "output_tokens": 200}}


def gemini(canned: Canned, no_search: bool) -> dict[str, Any]:
    text = " ".join(canned.sentences)
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP"}
    if not no_search:
        domains = list(dict.fromkeys(d for _, d in canned.cited))
        chunks = [{"web": {"uri": f"https://vertexaisearch.cloud.google.com/grounding-api-redirect/{i}", "title": d}}
                  for i, d in enumerate(domains)]
        supports = []
        for sentence in canned.sentences[1:]:
            start = len(text[:text.index(sentence)].encode())
            end = start + len(sentence.encode())  # byte offsets, as Gemini sends them
            owner = next((i for i, d in enumerate(domains) if d.split(".")[0] in sentence.lower().replace(" ", "-")), 0)
            segment = {"endIndex": end, "text": sentence} | ({"startIndex": start} if start else {})
            supports.append({"segment": segment, "groundingChunkIndices": [owner], "confidenceScores": [0.9]})
        candidate["groundingMetadata"] = {"webSearchQueries": ["q"], "groundingChunks": chunks, "groundingSupports": supports}
    return {"candidates": [candidate], "modelVersion": "gemini-standin",
            "usageMetadata": {"promptTokenCount": 11, "candidatesTokenCount": 27}}


def perplexity_agent(canned: Canned, no_search: bool, tool_error: bool) -> dict[str, Any]:
    if tool_error:
        return {"id": "resp_p", "object": "response", "status": "failed", "error": {"message": "search failed"}, "output": []}
    text = " ".join(canned.sentences)
    output: list[dict[str, Any]] = []
    if not no_search:
        output.append({"type": "search_results", "queries": ["q"],
                       "results": [{"id": i, "url": u, "title": d} for i, (u, d) in enumerate(canned.retrieved, 1)]})
    output.append({"type": "message", "id": "msg_1", "role": "assistant", "status": "completed", "content": [
        {"type": "output_text", "text": text, "annotations": [] if no_search else
         [{"type": "url_citation", "url": u, "title": d} for u, d in canned.cited]}]})
    return {"id": "resp_p", "object": "response", "status": "completed", "model": "perplexity/sonar", "output": output,
            "usage": {"input_tokens": 900, "output_tokens": 40}}


def main() -> None:
    """`python -m monitor.standin [--port 8765] [--latency 0.3] [--seed 7]`: serve until Ctrl-C, for demos."""
    import argparse

    parser = argparse.ArgumentParser(description="A loopback stand-in for the AI providers the monitor asks.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    server = StandIn(seed=args.seed, knobs=Knobs(latency=args.latency), port=args.port)
    print(f"stand-in AI provider at {server.url} (OpenAI/Anthropic: {server.url}/v1, Gemini: {server.url}/v1beta, "
          f"Perplexity: {server.url})", flush=True)
    with server:
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
