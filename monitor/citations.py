"""Citations normalised: tracking parameters stripped, hosts matched against brand and competitor domains.

A host belongs to a domain when it equals it or is a subdomain of it, after lower-casing and
dropping a leading `www.`. Gemini cites through expiring `vertexaisearch` redirects that carry the
real domain in the title; that title is used as the domain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset({
    "gclid", "dclid", "gbraid", "wbraid", "fbclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_hsenc",
    "_hsmi", "_ga", "_gl", "ref", "ref_src", "ref_url", "srsltid", "si", "spm", "trk", "mkt_tok", "oly_anon_id",
    "oly_enc_id", "vero_id", "wickedid", "twclid", "ttclid", "s_kwcid",
})
REDIRECT_HOSTS = frozenset({"vertexaisearch.cloud.google.com"})
_BARE_DOMAIN = re.compile(r"^(?:www\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)+)$")


def normalise_url(url: str) -> str:
    """`url` without tracking parameters (utm_*, gclid, ...) or fragment, with a lower-case host."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS]
    host = (parts.hostname or "").lower()
    netloc = host + (f":{parts.port}" if parts.port else "") if host else parts.netloc
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", urlencode(query), ""))


def bare_host(host: str) -> str:
    host = host.lower().strip().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def domain_of(url: str, title: str | None = None) -> str:
    """The site a cited URL belongs to; for redirect links, the domain named in the title."""
    try:
        host = bare_host(urlsplit(url).hostname or "")
    except ValueError:
        host = ""
    if host in REDIRECT_HOSTS and title and (match := _BARE_DOMAIN.match(title.strip().lower())):
        return match.group(1)
    return host


def host_matches(host: str, domains: Iterable[str]) -> bool:
    """True when `host` is one of `domains` or a subdomain of one."""
    host = bare_host(host)
    for domain in domains:
        domain = bare_host(domain)
        if domain and (host == domain or host.endswith("." + domain)):
            return True
    return False


@dataclass(frozen=True)
class Owner:
    """Whose domains these are: the brand's, or a competitor's (with its id)."""

    entity: str
    domains: tuple[str, ...]
    entity_id: int | None = None


@dataclass(frozen=True)
class Citation:
    """One page in one answer, cited or merely retrieved, normalised and attributed."""

    kind: str
    url: str
    raw_url: str
    domain: str
    title: str | None
    entity: str | None
    entity_id: int | None


def attribute(kind: str, refs: Sequence[tuple[str, str | None]], owners: Sequence[Owner]) -> list[Citation]:
    """Normalise, de-duplicate (the same page cited twice counts once) and attribute `refs`."""
    seen: set[str] = set()
    result = []
    for raw_url, title in refs:
        url = normalise_url(raw_url)
        domain = domain_of(url, title)
        key = url if domain_of(url) not in REDIRECT_HOSTS else raw_url
        if key in seen:
            continue
        seen.add(key)
        owner = next((o for o in owners if host_matches(domain, o.domains)), None)
        result.append(Citation(kind, url, raw_url, domain, title, owner.entity if owner else None,
                               owner.entity_id if owner else None))
    return result
