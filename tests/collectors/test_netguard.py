"""The address guard refuses every way of reaching an internal address (SSRF), and only that."""

from __future__ import annotations

import asyncio
import ipaddress

import httpcore
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors._netguard import GuardedBackend, GuardedTransport, IPAddress, is_special_purpose
from collectors.errors import AddressRefused, InvalidParams, PolicyError
from collectors.http import Fetcher, HttpOptions
from tests.collectors.loopback import Answer, Loopback

BLOCKED = [
    "127.0.0.1", "127.255.255.254", "::1", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255",
    "192.168.0.1", "169.254.169.254", "169.254.1.1", "fe80::1", "fc00::1", "fd00:ec2::254", "::ffff:127.0.0.1",
    "::ffff:10.0.0.1", "::ffff:169.254.169.254", "0.0.0.0", "::", "100.64.0.1", "224.0.0.1", "ff02::1",
    "240.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1", "2002:7f00:1::1",
]
PUBLIC = ["8.8.8.8", "93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]

GUARDED = HttpOptions(allow_private_networks=False, host_interval=0.0, attempts=1, timeout=2.0)


@pytest.mark.parametrize("address", BLOCKED)
def test_special_purpose_addresses_are_blocked(address: str) -> None:
    assert is_special_purpose(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address: str) -> None:
    assert not is_special_purpose(ipaddress.ip_address(address))


@settings(max_examples=200, derandomize=True)
@given(st.one_of(*(st.ip_addresses(network=net) for net in
                   ("127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16",
                    "::1/128", "fc00::/7", "fe80::/10"))))
def test_every_address_in_private_ranges_is_blocked_also_when_ipv4_mapped(address: IPAddress) -> None:
    assert is_special_purpose(address)
    if address.version == 4:
        assert is_special_purpose(ipaddress.IPv6Address(f"::ffff:{address}"))


def _fetch(url: str) -> None:
    async def go() -> None:
        async with Fetcher(GUARDED) as fetcher:
            await fetcher.get(url, robots=False)

    asyncio.run(go())


@pytest.mark.parametrize("host", [
    "127.0.0.1", "[::1]", "[::ffff:127.0.0.1]", "2130706433", "0x7f.0.0.1", "127.1", "localhost",
    "169.254.169.254", "10.0.0.1", "[::]", "0.0.0.0",
])
def test_ssrf_urls_to_internal_addresses_are_refused_before_connecting(host: str, loopback: Loopback) -> None:
    port = loopback.url.rsplit(":", 1)[1]
    with pytest.raises(AddressRefused):
        _fetch(f"http://{host}:{port}/secret")
    assert loopback.requests == []


def test_ssrf_octal_dotted_form_never_reaches_the_network(loopback: Loopback) -> None:
    port = loopback.url.rsplit(":", 1)[1]
    with pytest.raises((AddressRefused, InvalidParams)):
        _fetch(f"http://0177.0.0.1:{port}/secret")
    assert loopback.requests == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/", "gopher://127.0.0.1:70/"])
def test_non_http_schemes_are_refused(url: str) -> None:
    with pytest.raises((PolicyError, InvalidParams)):
        _fetch(url)


def test_loopback_is_allowed_when_private_networks_are_allowed(loopback: Loopback) -> None:
    loopback.route("/ok", Answer('{"ok": true}'))

    async def go() -> dict[str, bool]:
        async with Fetcher(HttpOptions(allow_private_networks=True, host_interval=0.0)) as fetcher:
            return (await fetcher.get(loopback.url + "/ok", robots=False)).json()

    assert asyncio.run(go()) == {"ok": True}


class FakeNetwork(httpcore.AsyncNetworkBackend):
    """Pretends to be the internet: records where connections go and answers with canned bytes."""

    def __init__(self, answers: dict[str, bytes]) -> None:
        self.answers = answers
        self.connected: list[str] = []

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: object = None) -> httpcore.AsyncNetworkStream:
        self.connected.append(host)
        from httpcore._backends.mock import AsyncMockStream

        return AsyncMockStream([self.answers[host]])


def _guarded_client(dns: dict[str, list[str]], network: FakeNetwork) -> Fetcher:
    lookups: list[str] = []

    async def resolver(host: str, port: int, timeout: float | None) -> list[IPAddress]:
        lookups.append(host)
        answers = dns[host]
        return [ipaddress.ip_address(answers.pop(0) if len(answers) > 1 else answers[0])]

    backend = GuardedBackend(allow_private_networks=False, inner=network, resolver=resolver)
    fetcher = Fetcher(GUARDED, transport=GuardedTransport(backend=backend))
    fetcher.lookups = lookups  # type: ignore[attr-defined]
    return fetcher


def test_ssrf_redirect_from_public_to_private_address_is_refused_at_the_hop() -> None:
    network = FakeNetwork({"93.184.216.34": b"HTTP/1.1 302 Found\r\nLocation: http://intranet.test/admin\r\n"
                                            b"Content-Length: 0\r\n\r\n"})
    fetcher = _guarded_client({"public.test": ["93.184.216.34"], "intranet.test": ["10.0.0.5"]}, network)

    async def go() -> None:
        async with fetcher:
            await fetcher.get("http://public.test/start", robots=False)

    with pytest.raises(AddressRefused, match=r"10\.0\.0\.5"):
        asyncio.run(go())
    assert network.connected == ["93.184.216.34"]


def test_ssrf_hostname_resolving_to_private_address_is_refused() -> None:
    network = FakeNetwork({})
    fetcher = _guarded_client({"sneaky.test": ["192.168.1.10"]}, network)

    async def go() -> None:
        async with fetcher:
            await fetcher.get("http://sneaky.test/", robots=False)

    with pytest.raises(AddressRefused):
        asyncio.run(go())
    assert network.connected == []


def test_dns_rebinding_connects_to_the_address_that_was_checked() -> None:
    # The name resolves to a public address first and a private one after: one lookup, pinned connect.
    network = FakeNetwork({"93.184.216.34": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"})
    fetcher = _guarded_client({"rebind.test": ["93.184.216.34", "127.0.0.1"]}, network)

    async def go() -> bytes:
        async with fetcher:
            return (await fetcher.get("http://rebind.test/", robots=False)).content

    assert asyncio.run(go()) == b"ok"
    assert network.connected == ["93.184.216.34"]
    assert fetcher.lookups == ["rebind.test"]  # type: ignore[attr-defined]


def test_every_checked_address_is_tried_in_turn_and_none_unchecked() -> None:
    class FirstAddressDown(FakeNetwork):
        async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                              socket_options: object = None) -> httpcore.AsyncNetworkStream:
            if host == "2606:4700::1":
                self.connected.append(host)
                raise httpcore.ConnectError("network unreachable")
            return await super().connect_tcp(host, port, timeout, local_address, socket_options)

    network = FirstAddressDown({"93.184.216.34": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"})

    async def resolver(host: str, port: int, timeout: float | None) -> list[IPAddress]:
        return [ipaddress.ip_address("2606:4700::1"), ipaddress.ip_address("93.184.216.34")]

    backend = GuardedBackend(allow_private_networks=False, inner=network, resolver=resolver)

    async def go() -> bytes:
        async with Fetcher(GUARDED, transport=GuardedTransport(backend=backend)) as fetcher:
            return (await fetcher.get("http://dual.test/", robots=False)).content

    assert asyncio.run(go()) == b"ok"
    assert network.connected == ["2606:4700::1", "93.184.216.34"]


def test_one_private_address_among_public_ones_refuses_the_host() -> None:
    network = FakeNetwork({})

    async def resolver(host: str, port: int, timeout: float | None) -> list[IPAddress]:
        return [ipaddress.ip_address("93.184.216.34"), ipaddress.ip_address("10.0.0.1")]

    backend = GuardedBackend(allow_private_networks=False, inner=network, resolver=resolver)

    async def go() -> None:
        async with Fetcher(GUARDED, transport=GuardedTransport(backend=backend)) as f:
            await f.get("http://mixed.test/", robots=False)

    with pytest.raises(AddressRefused):
        asyncio.run(go())
    assert network.connected == []


def test_environment_proxies_cannot_bypass_the_guard(monkeypatch: pytest.MonkeyPatch, loopback: Loopback) -> None:
    monkeypatch.setenv("HTTP_PROXY", loopback.url)
    with pytest.raises(AddressRefused):
        _fetch("http://10.1.2.3/")
    assert loopback.requests == []
