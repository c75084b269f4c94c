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
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id, declared_length, chunked = _request_headers(scope)
        request_id = request_id or uuid.uuid4().hex
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
            if declared_length is not None and declared_length > self.max_body_bytes:
                # Refused unread: the client may be sending it still.
                await error_response(self._too_large())(scope, receive, send_with_id)
            else:
                await self.app(scope, self._limited(receive) if chunked else receive, send_with_id)
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

    def _too_large(self) -> ApiError:
        return ApiError(
            413, f"Payload too large.  The request body may be at most {self.max_body_bytes} bytes.", "PayloadTooLarge",
        )

    def _limited(self, receive: Receive) -> Receive:
        """A chunked body, which declares no length, refused once it grows past the limit."""
        received = 0

        async def receive_limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise self._too_large()
            return message

        return receive_limited


def _request_headers(scope: Scope) -> tuple[str | None, int | None, bool]:
    """The client's request id if it is sane, the declared body length, and whether the body is chunked."""
    request_id, length, chunked = None, None, False
    for key, value in scope["headers"]:
        if key == b"x-request-id":
            text = value.decode("latin-1").strip()
            # Only a sane id is echoed back into logs and headers.
            if 0 < len(text) <= 128 and text.isprintable():
                request_id = text
        elif key == b"content-length" and value.isdigit():
            length = int(value)
        elif key == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    return request_id, length, chunked
