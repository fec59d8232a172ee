"""Readers for the two answer shapes several providers share: Responses-style `output[]` items
(OpenAI Responses, Perplexity Agent) and Chat Completions `choices[]` (OpenAI search models,
Perplexity Sonar, local OpenAI-compatible servers)."""

from __future__ import annotations

from typing import Any

from monitor.engines.base import NOT_SEARCHED, SEARCHED, ParsedAnswer, SourceRef, dig
from monitor.errors import ParseError


def _annotation_ref(annotation: dict[str, Any], offset: int) -> SourceRef | None:
    inner = annotation.get("url_citation")
    nested: dict[str, Any] = inner if isinstance(inner, dict) else annotation
    url = nested.get("url")
    if not isinstance(url, str) or not url:
        return None
    start, end = nested.get("start_index"), nested.get("end_index")
    return SourceRef(url, nested.get("title"), offset + start if isinstance(start, int) else None,
                     offset + end if isinstance(end, int) else None)


def read_output_items(raw: Any, who: str) -> ParsedAnswer:
    """A Responses-style answer: messages' output_text parts joined, url_citation annotations as
    cited, web_search_call sources / search_results items as retrieved."""
    output = raw.get("output") if isinstance(raw, dict) else None
    if not isinstance(output, list):
        raise ParseError(f"{who} answer has no output list")
    messages = [item for item in output if isinstance(item, dict) and item.get("type") == "message"]
    finals = [m for m in messages if m.get("phase") == "final_answer"]
    texts: list[str] = []
    cited: list[SourceRef] = []
    retrieved: list[SourceRef] = []
    searched = False
    offset = 0
    for message in finals or messages:
        for part in message.get("content") or []:
            if not isinstance(part, dict) or part.get("type") != "output_text":
                continue
            text = part.get("text") or ""
            if texts:
                offset += 1
            for annotation in part.get("annotations") or []:
                if isinstance(annotation, dict) and annotation.get("type", "url_citation") == "url_citation":
                    ref = _annotation_ref(annotation, offset)
                    if ref:
                        cited.append(ref)
            texts.append(text)
            offset += len(text)
    for item in output:
        if not isinstance(item, dict):
            continue
        if item.get("type") == "web_search_call":
            searched = True
            for source in dig(item, "action", "sources") or []:
                if isinstance(source, dict) and isinstance(source.get("url"), str):
                    retrieved.append(SourceRef(source["url"], source.get("title")))
            if dig(item, "action", "type") == "open_page" and isinstance(dig(item, "action", "url"), str):
                retrieved.append(SourceRef(item["action"]["url"]))
        elif item.get("type") in ("search_results", "fetch_url_results"):
            searched = True
            for result in item.get("results") or item.get("contents") or []:
                if isinstance(result, dict) and isinstance(result.get("url"), str):
                    retrieved.append(SourceRef(result["url"], result.get("title")))
    usage = raw.get("usage") or {}
    return ParsedAnswer(
        text="\n".join(texts), retrieval_status=SEARCHED if searched else NOT_SEARCHED, cited=cited,
        retrieved=retrieved, model=raw.get("model"), input_tokens=int(usage.get("input_tokens") or 0),
        output_tokens=int(usage.get("output_tokens") or 0),
    )


def read_chat_completion(raw: Any, who: str) -> ParsedAnswer:
    """A Chat Completions answer; `citations` / `search_results` (Sonar) and nested `url_citation`
    annotations (OpenAI search models) are read when present."""
    message = dig(raw, "choices", 0, "message")
    if not isinstance(message, dict):
        raise ParseError(f"{who} answer has no choices[0].message")
    content = message.get("content")
    if isinstance(content, list):  # some servers send content parts
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    text = content if isinstance(content, str) else ""
    cited = [ref for a in message.get("annotations") or [] if isinstance(a, dict) and (ref := _annotation_ref(a, 0))]
    results = [r for r in raw.get("search_results") or [] if isinstance(r, dict) and isinstance(r.get("url"), str)]
    retrieved = [SourceRef(r["url"], r.get("title")) for r in results]
    titles = {r["url"]: r.get("title") for r in results}
    for url in raw.get("citations") or []:
        if isinstance(url, str):
            cited.append(SourceRef(url, titles.get(url)))
    usage = raw.get("usage") or {}
    searched = bool(cited or retrieved or usage.get("num_search_queries"))
    cost = dig(usage, "cost", "total_cost")
    return ParsedAnswer(
        text=text, retrieval_status=SEARCHED if searched else NOT_SEARCHED, cited=cited, retrieved=retrieved,
        model=raw.get("model"), input_tokens=int(usage.get("prompt_tokens") or 0),
        output_tokens=int(usage.get("completion_tokens") or 0),
        reported_cost=float(cost) if isinstance(cost, int | float) else None,
    )


def bearer(key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"} if key else {}
