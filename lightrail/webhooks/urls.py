"""Where webhooks may post: https only, and never into our own network (SSRF).

A URL is checked when it is saved and again when each delivery connects: the connection is made to the
address that was checked, so a name that later resolves elsewhere (DNS rebinding) gains nothing.
`webhook_allow_insecure` (development and tests) allows http:// and private addresses, never other schemes.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

import httpcore

from lightrail.http.errors import ApiError

INSECURE_URL = "InsecureWebhookUrl"


class PrivateDestination(Exception):
    pass


def is_public_address(address: str) -> bool:
    """False for loopback, private, link-local (cloud metadata lives there), shared, reserved and multicast."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


async def public_address(host: str, port: int) -> str:
    """The address to connect to for `host`, refusing a host with any non-public address."""
    addresses = await resolve(host, port)
    private = [a for a in addresses if not is_public_address(a)]
    if private or not addresses:
        raise PrivateDestination(f"{host} resolves to a non-public address ({', '.join(private)})")
    return addresses[0]


def check_scheme(url: str, allow_insecure: bool) -> None:
    # Case-sensitive, as the original's test was.
    prefixes = ("https://", "http://") if allow_insecure else ("https://",)
    if not url.startswith(prefixes) or not urlsplit(url).hostname:
        raise ApiError(422, "The url must be secure.", INSECURE_URL)


async def check_destination(url: str, allow_insecure: bool) -> None:
    """422 for a URL we would refuse to post to. A name that does not resolve yet is accepted:
    every delivery checks again before connecting."""
    check_scheme(url, allow_insecure)
    if allow_insecure:
        return
    parts = urlsplit(url)
    try:
        await public_address(parts.hostname, parts.port or 443)
    except PrivateDestination:
        raise ApiError(
            422, "The url must not point to a loopback, private or link-local address.", INSECURE_URL,
        ) from None
    except (OSError, UnicodeError):
        return


class PublicOnlyBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to checked public addresses (TLS still names the host)."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):  # noqa: ANN001
        try:
            address = await asyncio.wait_for(public_address(host, port), timeout)
        except (PrivateDestination, OSError, asyncio.TimeoutError) as e:
            raise httpcore.ConnectError(f"refused: {e}") from None
        return await self._inner.connect_tcp(address, port, timeout, local_address, socket_options)

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):  # noqa: ANN001
        raise httpcore.ConnectError("refused: unix sockets are not webhook destinations")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
