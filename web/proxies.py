"""The real client behind a reverse proxy, for the login throttle and the login audit.

Behind nginx every request comes from 127.0.0.1, so the throttle would count
every village's wrong passwords as one address. The proxy names the client in
``X-Forwarded-For``; that header is believed only when the request really comes
from a proxy listed in ``XIANGXIN_TRUSTED_PROXIES``, and then the address taken
is the right-most one no trusted proxy added (whatever a client wrote to the
left of it is its own claim). A request straight from anyone else keeps its own
address, header or not.

aiohttp-remotes was considered: its strict mode refuses (400) any request whose
header has more entries than hops, which a client can cause by sending its own
header, and its filtered mode believes the header from any peer.
"""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from aiohttp import hdrs, web
from aiohttp.typedefs import Handler

from core.errors import DomainError

Network = IPv4Network | IPv6Network


def parse_proxies(setting: str) -> list[Network]:
    """``"127.0.0.1, 10.0.0.0/8"`` → networks; a wrong value stops the service with its name."""
    networks = []
    for part in filter(None, (p.strip() for p in setting.split(","))):
        try:
            networks.append(ip_network(part, strict=False))
        except ValueError:
            raise DomainError("console_trusted_proxies_bad", value=part) from None
    return networks


def _trusted(address: str | None, proxies: list[Network]) -> bool:
    try:
        parsed = ip_address(address or "")
    except ValueError:
        return False
    return any(parsed in network for network in proxies)


def client_address(peer: str | None, forwarded_for: list[str], proxies: list[Network]) -> str:
    """The client's address: the peer, or, from a trusted proxy, the first untrusted hop."""
    if not _trusted(peer, proxies):
        return peer or ""
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",")]
    for hop in reversed([h for h in hops if h]):
        if not _trusted(hop, proxies):
            return hop if _is_address(hop) else peer or ""
    return peer or ""


def _is_address(value: str) -> bool:
    try:
        ip_address(value)
    except ValueError:
        return False
    return True


def trust_proxies(app: web.Application, setting: str) -> None:
    """Give every request its client's address when ``setting`` lists the proxies (else: nothing)."""
    proxies = parse_proxies(setting)
    if not proxies:
        return

    @web.middleware
    async def from_proxy(request: web.Request, handler: Handler) -> web.StreamResponse:
        forwarded = request.headers.getall(hdrs.X_FORWARDED_FOR, [])
        if not forwarded:
            return await handler(request)
        remote = client_address(request.remote, forwarded, proxies)
        return await handler(request.clone(remote=remote))

    app.middlewares.insert(0, from_proxy)
