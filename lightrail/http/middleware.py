"""Per-request plumbing as plain ASGI: request id, one access log line, and the request metrics."""

from __future__ import annotations

import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lightrail import logs, metrics
from lightrail.http.errors import ApiError
from lightrail.http.responses import error_response
from lightrail.tracking import capture

log = logs.get_logger("lightrail.access")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _header(scope, b"x-request-id") or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        started_response = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, started_response
            if message["type"] == "http.response.start":
                started_response = True
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode("latin-1")))
                refresh = scope["state"].get("refresh_signature_cookie")
                if refresh and not any(k == b"set-cookie" and v.startswith(b"gb_jwt_signature=") for k, v in headers):
                    # Sliding 30-minute idle timeout of web sessions (platform.md §2.2).
                    headers.append((b"set-cookie", f"gb_jwt_signature={refresh}; Max-Age=1800; Path=/; HttpOnly; Secure".encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            status = 500
            account = scope["state"].get("account_id")
            log.exception("unhandled error", request_id=request_id, path=scope["path"], account=account)
            capture(exc, request_id=request_id, account=account, route=getattr(scope.get("route"), "path", None))
            if not started_response:
                await error_response(ApiError(500))(scope, receive, send_with_id)
        finally:
            duration = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope["method"]
            metrics.count_request(template, method, status, duration)
            logs.access(method, scope["path"], status, round(duration * 1000, 2), request_id, scope["state"].get("account_id"))


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            text = value.decode("latin-1").strip()
            # Only a sane id is echoed back into logs and headers.
            if 0 < len(text) <= 128 and text.isprintable():
                return text
    return None

