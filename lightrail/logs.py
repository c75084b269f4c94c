"""Logging: structured lines through structlog, as text or JSON, and the access line of every request."""

from __future__ import annotations

import logging
import sys
from datetime import datetime, timezone
from typing import TextIO

import orjson
import structlog


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    # logfmt keeps the access line greppable (`status=500`) and costs far less than the console renderer.
    renderer = structlog.processors.JSONRenderer() if fmt == "json" else structlog.processors.LogfmtRenderer(
        key_order=["timestamp", "level", "event"]
    )
    threshold = logging.getLevelName(level.upper())
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            # `log.exception` carries the traceback in the line (escaped onto it in logfmt), not `exc_info=true`.
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(threshold),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
    global access
    access = AccessLog(fmt, enabled=threshold <= logging.INFO, stream=sys.stderr)


def get_logger(name: str = "lightrail"):
    return structlog.get_logger(name)


class AccessLog:
    """The one line each request leaves (`… event=request method=POST path=… status=201 …`), in the same
    shape structlog gives the other lines, written in one `write` so that processes sharing stderr never
    interleave within a line.

    It is written here rather than through structlog's processor chain: a generic chain (copying the
    context, a processor per key, a renderer sorting keys) cost a few percent of a debit's API time.
    """

    def __init__(self, fmt: str = "text", *, enabled: bool = True, stream: TextIO | None = None) -> None:
        self.json = fmt == "json"
        self.enabled = enabled
        self.stream = stream  # None: whatever sys.stderr is when the line is written

    def __call__(
        self, method: str, path: str, status: int, duration_ms: float, request_id: str, account: str | None,
    ) -> None:
        if not self.enabled:
            return
        timestamp = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
        if self.json:
            line = orjson.dumps({
                "timestamp": timestamp, "level": "info", "event": "request", "method": method, "path": path,
                "status": status, "duration_ms": duration_ms, "request_id": request_id, "account": account,
            }).decode()
        else:
            line = (
                f"timestamp={timestamp} level=info event=request method={logfmt(method)} path={logfmt(path)} "
                f"status={status} duration_ms={duration_ms} request_id={logfmt(request_id)} account={logfmt(account)}"
            )
        stream = self.stream or sys.stderr
        stream.write(line + "\n")
        stream.flush()


access = AccessLog()

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def logfmt(value: str | None) -> str:
    """A logfmt value: empty for None, quoted and escaped when it holds a space, `=`, a quote or a
    control character, so that a client's path or request id can neither split a line nor forge a key."""
    if value is None:
        return ""
    if value.isprintable() and " " not in value and "=" not in value and '"' not in value:
        return value
    return '"' + value.translate(_ESCAPES) + '"'
