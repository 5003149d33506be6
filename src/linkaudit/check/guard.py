"""
The request guard: refuse loopback, private, link-local and other non-public targets.

A brief can cite anything, and linkaudit often runs in CI on untrusted input, so by
default it will not be made to reach ``http://169.254.169.254/`` (cloud metadata), an
intranet admin page or a service on the CI machine itself. The decision is made on the
*addresses* a URL leads to: literal hosts are first normalised as browsers do (WHATWG URL:
``2130706433``, ``0177.0.0.1`` and ``0x7f.1`` are all 127.0.0.1), names are resolved, and
every address must be public. The redirect follower asks again for every hop, and the
connection itself is made only to addresses this module approved: ``GuardedResolver`` is
the resolver of the client's connector, so the addresses a connection may use are the ones
it judged, in the same lookup (a name that answers a public address to the first lookup
and a private one to the next never gets a byte sent to the private one: DNS rebinding).

When a proxy is configured for the URL (``HTTP(S)_PROXY``/``ALL_PROXY`` minus ``NO_PROXY``),
the proxy resolves names, not linkaudit: only literal addresses and local names
(``localhost``, ``*.localhost``) are judged, and no proxied name becomes a ``dns`` failure.

``Settings.allow_private`` lifts the guard; ``Settings.allow_networks`` allows listed
addresses or CIDR networks (an intranet host). See SECURITY.md.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import urllib.request
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from linkaudit.config import Settings

__all__ = [
    "AddressRefused",
    "GuardedResolver",
    "IPAddress",
    "address_kind",
    "is_allowed",
    "needs_dns",
    "parse_ip_literal",
    "proxy_for",
    "proxy_from",
    "refusal",
    "refusal_for_address",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")
_HINT = "(allow with --allow-private or allow_networks; see SECURITY.md)"


def refusal(url: str, settings: Settings) -> str | None:
    """Why ``url`` must not be fetched, or ``None``. Blocks on DNS: call it in a thread."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or settings.allow_private:
        return None
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return None
    literal = parse_ip_literal(host)
    if literal is not None:
        return refusal_for_address(literal, settings, host)
    if _is_local_name(host):
        loopbacks = (ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1"))
        if any(is_allowed(a, settings) for a in loopbacks):
            return None
        return f"{host} is a local name {_HINT}"
    if proxy_for(url) is not None:
        return None
    return _refusal_for_addresses(host, _resolve(host, parts.port), settings)


def pinned_address(url: str, settings: Settings) -> tuple[str | None, str | None]:
    """``(address to connect to, refusal)`` for a URL fetched outside the checker's client:
    the name is resolved once and the connection must go to that very address, so a name
    that answers differently the second time (DNS rebinding) cannot reach another one.
    The address is None when there is nothing to pin (an IP literal, a proxy, no guard)."""
    reason = None
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    if not needs_dns(url, settings) or _is_local_name(host):
        return None, refusal(url, settings)
    addresses = _resolve(host, parts.port)
    reason = _refusal_for_addresses(host, addresses, settings)
    return (str(addresses[0]) if addresses and reason is None else None), reason


def needs_dns(url: str, settings: Settings) -> bool:
    """Whether ``refusal(url)`` has to resolve a name (and so blocks); else it is instant."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or settings.allow_private:
        return False
    host = (parts.hostname or "").rstrip(".")
    if not host or parse_ip_literal(host) is not None or _is_local_name(host):
        return False
    return proxy_for(url) is None


def refusal_for_address(address: IPAddress, settings: Settings, host: str = "") -> str | None:
    """Why connecting to ``address`` is refused, or ``None`` when it is allowed."""
    if settings.allow_private or is_allowed(address, settings):
        return None
    kind = address_kind(address) or "non-public"
    named = f"{host} → {address}" if host and host != str(address) else str(address)
    article = "an" if kind[0] in "aeiou" else "a"
    return f"{named} is {article} {kind} address {_HINT}"


def is_allowed(address: IPAddress, settings: Settings) -> bool:
    """Public, or inside one of ``settings.allow_networks``."""
    inner = _embedded_v4(address)
    for candidate in (address, inner):
        if candidate is None:
            continue
        for text in settings.allow_networks:
            network = ipaddress.ip_network(text, strict=False)
            if candidate.version == network.version and candidate in network:
                return True
    return address_kind(address) is None


def address_kind(address: IPAddress) -> str | None:
    """The reason an address is not public (``loopback``, ``private``…), or ``None``."""
    inner = _embedded_v4(address)
    if inner is not None:
        return address_kind(inner)
    for kind, test in (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("unspecified", address.is_unspecified),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
    ):
        if test:
            return kind
    if isinstance(address, ipaddress.IPv6Address) and address in _UNIQUE_LOCAL:
        return "unique-local"
    return None if address.is_global else "non-public"


_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_v4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped, NAT64 or 6to4 IPv6 address."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def parse_ip_literal(host: str) -> IPAddress | None:
    """``host`` as an IP address the way a browser reads it (WHATWG URL host parser)."""
    text = host.strip("[]").split("%", 1)[0]
    if ":" in text:
        try:
            return ipaddress.IPv6Address(text)
        except ValueError:
            return None
    return _whatwg_ipv4(text)


def _whatwg_ipv4(host: str) -> ipaddress.IPv4Address | None:
    parts = host.split(".")
    if parts and parts[-1] == "" and len(parts) > 1:
        parts.pop()
    if not parts or len(parts) > 4:
        return None
    numbers = [_ipv4_number(p) for p in parts]
    if any(n is None for n in numbers):
        return None
    values = [n for n in numbers if n is not None]
    if any(v > 255 for v in values[:-1]) or values[-1] >= 256 ** (5 - len(values)):
        return None
    total = values[-1]
    for index, value in enumerate(values[:-1]):
        total += value * 256 ** (3 - index)
    return ipaddress.IPv4Address(total)


def _ipv4_number(part: str) -> int | None:
    if not part:
        return None
    base, digits = 10, part
    if part[:2].lower() == "0x":
        base, digits = 16, part[2:]
    elif len(part) > 1 and part[0] == "0":
        base, digits = 8, part[1:]
    if digits == "":
        return 0
    try:
        return int(digits, base) if digits.isalnum() and digits.isascii() else None
    except ValueError:
        return None


def _is_local_name(host: str) -> bool:
    lowered = host.lower()
    return lowered in _LOCAL_NAMES or lowered.endswith(".localhost")


def proxy_for(url: str) -> str | None:
    """The proxy the environment configures for ``url`` (as httpx with ``trust_env``), if any."""
    return proxy_from(url, urllib.request.getproxies_environment())


def proxy_from(url: str, proxies: dict[str, str]) -> str | None:
    """The proxy for ``url`` among ``proxies`` (``urllib.request.getproxies_environment()``)."""
    parts = urlsplit(url)
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy:
        return None
    host = parts.hostname or ""
    if "no" in proxies and _bypass(host, proxies):
        return None
    return proxy


def _bypass(host: str, proxies: dict[str, str]) -> bool:
    bypass: Callable[[str, dict[str, str]], bool] = getattr(  # noqa: B009 - not in typeshed
        urllib.request, "proxy_bypass_environment"
    )
    return bypass(host, proxies)


def _resolve(host: str, port: int | None) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port or 80, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []  # the client reports the name as a dns failure
    found: list[IPAddress] = []
    for info in infos:
        address = parse_ip_literal(str(info[4][0]))
        if address is not None and address not in found:
            found.append(address)
    return found


def _refusal_for_addresses(
    host: str, addresses: Iterable[IPAddress], settings: Settings
) -> str | None:
    # Every answer must be public: a name with one public and one private address is refused.
    for address in addresses:
        reason = refusal_for_address(address, settings, host)
        if reason is not None:
            return reason
    return None


class AddressRefused(OSError):
    """The guard refused the addresses a name resolved to, where the connection is made."""


class GuardedResolver(AbstractResolver):
    """The client connector's resolver: a name resolves only to addresses the guard allows.

    The connector connects to exactly the addresses this returns, so the decision and the
    connection use one lookup. Any refused answer refuses the name (as ``refusal`` does).
    Literal IP hosts never reach a resolver: ``refusal`` judges them before the request,
    and no lookup can change them. The hosts of configured proxies (``trusted``) are not
    judged: a proxy is the operator's choice, and it resolves the names it is asked for.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        trusted: Iterable[str] = (),
        inner: AbstractResolver | None = None,
    ) -> None:
        self._settings = settings
        self._trusted = frozenset(h.lower().rstrip(".") for h in trusted)
        self._inner = inner

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """The addresses of ``host``, each allowed by the guard; ``AddressRefused`` if not."""
        if self._inner is None:
            self._inner = ThreadedResolver(asyncio.get_running_loop())
        found = await self._inner.resolve(host, port, family)
        name = host.lower().rstrip(".")
        if self._settings.allow_private or name in self._trusted:
            return found
        for answer in found:
            address = parse_ip_literal(answer["host"])
            if address is None:
                raise AddressRefused(f"{host} resolved to an unreadable address {answer['host']}")
            reason = refusal_for_address(address, self._settings, host)
            if reason is not None:
                raise AddressRefused(reason)
        return found

    async def close(self) -> None:
        """Release the inner resolver."""
        if self._inner is not None:
            await self._inner.close()
