"""Posting one event to one webhook URL, and what came of it (platform.md §6.5, "Send").

Any 2xx is delivered; anything else is a failure, redirects included (they are not followed), as are
timeouts: FIRST_BYTE_SECONDS to the response's first byte, TOTAL_SECONDS for the whole exchange. The
response body is never read.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import httpcore
import httpx

from lightrail.webhooks.urls import PublicOnlyBackend, check_scheme

FIRST_BYTE_SECONDS = 4.0
TOTAL_SECONDS = 6.0
MAX_ERROR_LENGTH = 500


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    duration_ms: int
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _PoolTransport(httpx.AsyncBaseTransport):
    """httpx over an httpcore pool of our choosing (httpx's own transport has no say in how it connects)."""

    def __init__(self, pool: httpcore.AsyncConnectionPool) -> None:
        self._pool = pool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._pool.handle_async_request(httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme, host=request.url.raw_host, port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        ))
        await response.aclose()
        return httpx.Response(status_code=response.status, headers=response.headers)

    async def aclose(self) -> None:
        await self._pool.aclose()


class WebhookPoster:
    def __init__(
        self, allow_insecure: bool, first_byte_seconds: float = FIRST_BYTE_SECONDS,
        total_seconds: float = TOTAL_SECONDS, max_connections: int = 100,
    ) -> None:
        self._allow_insecure = allow_insecure
        self._total_seconds = total_seconds
        pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(), max_connections=max_connections,
            network_backend=None if allow_insecure else PublicOnlyBackend(),
        )
        self._client = httpx.AsyncClient(
            transport=_PoolTransport(pool), follow_redirects=False, timeout=httpx.Timeout(first_byte_seconds),
        )

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> Outcome:
        started = time.monotonic()
        try:
            # The URL may have been saved when insecure URLs were allowed; the rule is the one in force now.
            check_scheme(url, self._allow_insecure)
            async with asyncio.timeout(self._total_seconds):
                response = await self._client.post(url, content=body, headers=headers)
        except Exception as e:  # every way a post can fail is a failed attempt, recorded and retried
            return Outcome(None, _elapsed_ms(started), _describe(e))
        error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
        return Outcome(response.status_code, _elapsed_ms(started), error)

    async def aclose(self) -> None:
        await self._client.aclose()


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _describe(error: Exception) -> str:
    if isinstance(error, TimeoutError):
        return "timeout (no complete response in time)"
    if isinstance(error, (httpcore.TimeoutException, httpx.TimeoutException)):
        return f"timeout ({type(error).__name__})"
    message = getattr(error, "message", None) or str(error)
    return f"{type(error).__name__}: {message}"[:MAX_ERROR_LENGTH]
