"""The one place that decides which network addresses a collector may reach (SSRF guard).

`GuardedTransport` is an httpx transport whose connections are opened by `GuardedBackend`: it
resolves the host name once, refuses the connection if any address it resolves to is special
purpose, and then connects to the very address it checked, so DNS rebinding has no second lookup to
exploit. httpx calls the transport once per redirect hop, so every hop is checked again. TLS keeps
the host name for SNI and certificate checks because httpcore takes them from the URL, not the
socket. A custom transport also means httpx ignores `HTTP(S)_PROXY`, which could bypass the guard.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable

import httpcore
import httpx

from collectors.errors import AddressRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int, float | None], Awaitable[list[IPAddress]]]

ALLOWED_SCHEMES = frozenset({"http", "https"})

# Ranges that Python's is_private/is_reserved miss or got wrong in some releases
# (changedetection.io validate_url.py; CGNAT: GHSA-gwph-fp79-379w).
_EXTRA_BLOCKED = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.88.99.0/24", "198.18.0.0/15",
        "224.0.0.0/4", "240.0.0.0/4", "fc00::/7", "fe80::/10", "ff00::/8", "3fff::/20", "64:ff9b:1::/48",
    )
)
# Cloud metadata services that live on ordinary-looking addresses in some clouds.
_METADATA = frozenset(ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200"))


def is_special_purpose(address: IPAddress) -> bool:
    """True for any address a collector must not reach unless private networks are allowed.

    IPv4 addresses embedded in IPv6 (mapped, 6to4, Teredo) are unwrapped and judged as IPv4.
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_special_purpose(address.ipv4_mapped)
        embedded = address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is not None and is_special_purpose(embedded):
            return True
    if address in _METADATA:
        return True
    if (address.is_private or address.is_loopback or address.is_link_local or address.is_multicast
            or address.is_reserved or address.is_unspecified):
        return True
    if any(address.version == net.version and address in net for net in _EXTRA_BLOCKED):
        return True
    return not address.is_global


def check_addresses(host: str, addresses: Iterable[IPAddress]) -> None:
    """Raise `AddressRefused` if any of `host`'s addresses is special purpose."""
    for address in addresses:
        if is_special_purpose(address):
            raise AddressRefused(f"refusing to fetch {host}: it resolves to {address}, a non-public address "
                                 "(set ADVOCADO_ALLOW_PRIVATE_NETWORKS=1 for self-hosted sources)")


async def resolve(host: str, port: int, timeout: float | None) -> list[IPAddress]:
    """Every address `host` resolves to, in resolver order (IP literals, decimal and octal forms included)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP), timeout
        )
    except socket.gaierror as error:
        raise httpcore.ConnectError(f"cannot resolve {host}: {error.strerror}") from error
    except TimeoutError as error:
        raise httpcore.ConnectTimeout(f"resolving {host} timed out") from error
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise httpcore.ConnectError(f"{host} has no addresses")
    return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections only to addresses that passed the guard."""

    def __init__(self, *, allow_private_networks: bool = False, inner: httpcore.AsyncNetworkBackend | None = None,
                 resolver: Resolver | None = None) -> None:
        self.allow_private_networks = allow_private_networks
        self._inner = inner or httpcore.AnyIOBackend()
        self._resolve = resolver or resolve

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolve(host, port, timeout)
        if not self.allow_private_networks:
            check_addresses(host, addresses)
        failure: Exception | None = None
        for address in addresses:  # every one was checked; try them in order, as a normal client would
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        assert failure is not None
        raise failure

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None) -> httpcore.AsyncNetworkStream:
        raise AddressRefused("collectors never connect to Unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """An httpx transport that refuses non-http(s) URLs and connects only through `GuardedBackend`."""

    def __init__(self, *, allow_private_networks: bool = False, max_connections: int = 100,
                 backend: httpcore.AsyncNetworkBackend | None = None) -> None:
        super().__init__(trust_env=False)
        # httpx's transport takes no network backend, so swap in a pool that has ours; the rest of
        # AsyncHTTPTransport (exception mapping, streams) stays as httpx wrote it.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=max_connections,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=backend or GuardedBackend(allow_private_networks=allow_private_networks),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme not in ALLOWED_SCHEMES:
            raise AddressRefused(f"refusing to fetch {request.url.scheme}: URLs; only http and https")
        return await super().handle_async_request(request)
